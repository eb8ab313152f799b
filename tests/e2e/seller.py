"""A scripted seller who registers step by step, checking each question the bot asks."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import I18n, Texts
from tests.e2e.telegram_server import ChatMessage, ScriptedUser, parse_html

I18N = I18n()


def visible(html: str) -> str:
    """What Telegram shows for a text the bot sends as HTML."""
    return parse_html(html)[0]


@dataclass
class Answers:
    """A valid registration (GSTIN and PAN verified with python-stdnum)."""

    display_name: str = "Sharma Kirana & Sons <Pune>"
    legal_name: str = "Sharma Traders"
    incorporation_type: str = "SP"
    gstin: str = "27AAPFU0939F1ZV"
    pan: str = "AAPFU0939F"
    categories: list[str] = field(default_factory=lambda: ["RET10", "RET12"])  # Grocery, Fashion
    fssai: str = "12345678901234"
    account_number: str = "123456789012"
    ifsc: str = "SBIN0001234"
    phone: str = "+919812345678"
    email: str = "asha@example.com"


class Seller:
    """Drives the onboarding conversation as a person would, asserting what the bot says."""

    def __init__(self, user: ScriptedUser, language: str = "en") -> None:
        self.user = user
        self.language = language

    @property
    def texts(self) -> Texts:
        return I18N.texts(self.language)

    def says(self, message: ChatMessage, key: str, **params: object) -> None:
        expected = visible(self.texts(key, **params))
        assert message.text is not None and message.text.startswith(expected), (
            f"expected {key!r}:\n  {expected!r}\ngot:\n  {message.text!r}"
        )

    async def expect(self, key: str, **params: object) -> ChatMessage:
        message = await self.user.next_message()
        self.says(message, key, **params)
        return message

    async def expect_noted(
        self, note: str, key: str, note_params: dict[str, object] | None = None
    ) -> ChatMessage:
        """One message: a note (a reason, a greeting), then the text of `key` (a question)."""
        message = await self.user.next_message()
        self.says(message, note, **(note_params or {}))
        question = visible(self.texts(key)).split("\n")[0]
        assert message.text is not None and question in message.text, (
            f"expected {key!r} after the note:\n  {question!r}\ngot:\n  {message.text!r}"
        )
        return message

    async def type(self, text: str, then: str, **params: object) -> ChatMessage:
        """Types an answer; returns the next message, which must be `then`."""
        await self.user.send_text(text)
        return await self.expect(then, **params)

    async def refused(self, text: str, reason: str, question: str, **params: object) -> ChatMessage:
        """Types a wrong answer: the bot says why and asks the same question again."""
        await self.user.send_text(text)
        return await self.expect_noted(reason, f"onboarding.ask.{question}", params)

    async def press(self, message: ChatMessage, data: str) -> str:
        query_id = await self.user.press(message, data)
        await self.user.callback_answer(query_id)
        return query_id

    # --- the steps ----------------------------------------------------------------------------

    async def start_new(self) -> ChatMessage:
        await self.user.send_text("/start")
        picker = await self.user.next_message()
        assert f"lang:set:{self.language}" in picker.button_data
        return picker

    async def pick_language(self, picker: ChatMessage) -> ChatMessage:
        await self.press(picker, f"lang:set:{self.language}")
        chosen = await self.user.next_edit()
        self.says(chosen, "language.chosen", language=I18N.native_name(self.language))
        return await self.expect_noted("onboarding.welcome", "onboarding.ask.display_name")

    async def choose_incorporation(self, question: ChatMessage, code: str) -> ChatMessage:
        await self.press(question, f"ob:inc:{code}")
        await self.user.next_edit()
        return await self.expect("onboarding.ask.gstin")

    async def choose_categories(
        self, question: ChatMessage, codes: list[str], then: str
    ) -> ChatMessage:
        for code in codes:
            await self.press(question, f"ob:cat:{code}")
            question = await self.user.next_edit()
            assert any(
                text.startswith("✅") for text, data in question.buttons if data == f"ob:cat:{code}"
            )
        await self.press(question, "ob:cat:done")
        await self.user.next_edit()
        return await self.expect(then)

    async def share_phone(self, then: str = "onboarding.ask.email") -> ChatMessage:
        keyboard = self.user.reply_keyboard
        assert keyboard is not None and keyboard.requests_contact
        await self.user.send_contact(Answers.phone, own=True)
        await self.expect("onboarding.phone_saved", phone=Answers.phone)
        return await self.expect(then)

    async def register(self, answers: Answers | None = None) -> ChatMessage:
        """The whole registration from /start; returns the review card."""
        await self.pick_language(await self.start_new())
        return await self.answer_all(answers or Answers())

    async def answer_all(self, a: Answers, skip_email: bool = False) -> ChatMessage:
        """Every answer, from the shop name question on; returns the review card."""
        await self.type(a.display_name, "onboarding.ask.legal_name")
        question = await self.type(a.legal_name, "onboarding.ask.incorporation_type")
        await self.choose_incorporation(question, a.incorporation_type)
        await self.type(a.gstin, "onboarding.ask.pan")
        question = await self.type(a.pan, "onboarding.ask.categories")
        needs_fssai = {"RET10", "RET11"} & set(a.categories)
        then = "onboarding.ask.fssai" if needs_fssai else "onboarding.ask.account_number"
        await self.choose_categories(question, a.categories, then)
        if needs_fssai:
            await self.type(a.fssai, "onboarding.ask.account_number")
        await self.type(a.account_number, "onboarding.ask.ifsc")
        await self.type(a.ifsc, "onboarding.ask.phone")
        question = await self.share_phone()
        if not skip_email:
            return await self.type(a.email, "onboarding.review.title")
        await self.press(question, "ob:skip")
        await self.user.next_edit()
        return await self.expect("onboarding.review.title")

    async def confirm(self, review: ChatMessage, name: str) -> ChatMessage:
        await self.press(review, "ob:ok")
        edited = await self.user.next_edit()
        assert edited.buttons == []
        await self.expect("onboarding.registered", name=name)
        return await self.expect("menu.title")
