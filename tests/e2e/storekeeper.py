"""A registered seller who opens and runs storefronts step by step, checking each question."""

from __future__ import annotations

from dataclasses import dataclass

from tests.e2e.seller import Answers, Seller
from tests.e2e.telegram_server import ChatMessage


@dataclass
class Shop:
    """A storefront as the seller would describe it (the preset path's answers)."""

    name: str = "Sharma Kirana, Kothrud"
    contact_name: str = "Asha Sharma"
    address: str = "12 Paud Road, Kothrud"
    pincode: str = "411038"
    city: str = "Pune"
    state: str = "MH"
    location: tuple[float, float] = (18.5074, 73.8077)
    radius: int = 5
    hours: str = "9-21-daily"


class Storekeeper(Seller):
    """Registers through the bot, then drives /newstore and /stores."""

    async def registered(self, answers: Answers | None = None) -> None:
        a = answers or Answers()
        review = await self.register(a)
        await self.confirm(review, a.display_name)

    async def ask(self, key: str) -> ChatMessage:
        """The next message must be the storefront question `key`."""
        return await self.expect(f"storefront.ask.{key}")

    async def type_answer(self, text: str, then: str) -> ChatMessage:
        await self.user.send_text(text)
        return await self.ask(then)

    async def tap(
        self, question: ChatMessage, data: str, then: str | None, **params: object
    ) -> ChatMessage | None:
        """Presses a button that answers the question: it is replaced by the answer, then the
        next question (`then`, a storefront.ask key or a full key with a dot in it) comes."""
        await self.press(question, data)
        edited = await self.user.next_edit()
        assert edited.buttons == [], edited.buttons
        if then is None:
            return None
        return await self.expect(then if "." in then else f"storefront.ask.{then}", **params)

    async def refused_answer(
        self, text: str, reason: str, question: str, **params: object
    ) -> ChatMessage:
        await self.user.send_text(text)
        return await self.expect_noted(reason, f"storefront.ask.{question}", params)

    async def start_storefront(self) -> ChatMessage:
        await self.user.send_text("/newstore")
        return await self.expect_noted("storefront.intro", "storefront.ask.name")

    async def through_location(self, shop: Shop) -> ChatMessage:
        """From the name question to the area question (location shared)."""
        question = await self.type_answer(shop.name, "categories")
        question = await self.tap(question, "sf:cat:done", "contact_name")
        question = await self.type_answer(shop.contact_name, "phone")
        question = await self.tap(question, "sf:use:phone", "email")
        await self.tap(question, "sf:use:email", "address")
        await self.type_answer(shop.address, "pincode")
        await self.type_answer(shop.pincode, "city")
        question = await self.type_answer(shop.city, "state")
        await self.tap(question, f"sf:st:{shop.state}", "location")
        keyboard = self.user.reply_keyboard
        assert keyboard is not None and keyboard.requests_location
        await self.user.send_location(*shop.location)
        await self.expect("storefront.location_saved")
        return await self.ask("area")

    async def billing_as_registered(self, question: ChatMessage, shop: Shop) -> ChatMessage:
        """Billing, registered address and bank by one tap each; returns the review card."""
        question = await self.tap(
            question, "sf:bill:same", "registered_address", address=shop.address
        )
        question = await self.tap(question, "sf:reg:same", "bank_name")
        return await self.tap(question, "sf:bank:ifsc", "storefront.review.title")

    async def open_with_presets(self, shop: Shop | None = None) -> ChatMessage:
        """A whole storefront by presets; returns the review card."""
        shop = shop or Shop()
        await self.start_storefront()
        question = await self.through_location(shop)
        question = await self.tap(question, f"sf:km:{shop.radius}", "hours")
        a = Answers()
        question = await self.tap(
            question, f"sf:hrs:{shop.hours}", "billing", legal_name=a.legal_name, gstin=a.gstin
        )
        return await self.billing_as_registered(question, shop)

    async def create(self, review: ChatMessage, name: str) -> ChatMessage:
        """Create on the review card; returns the storefront's card."""
        await self.press(review, "sf:ok")
        await self.user.next_edit()
        await self.expect("storefront.created", name=name)
        return await self.expect("stores.card_title", name=name)
