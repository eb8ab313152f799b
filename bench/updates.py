"""Update throughput of sellerbot against a bare PTB echo bot, on the e2e Telegram test server.

    .venv/bin/python bench/updates.py [--users 200] [--messages 10] [--repeat 3]

Many scripted users talk to a bot at once, each in a closed loop (send, wait for the bot's
reply, send the next). The Bot API test server runs in this process; each bot runs in its own
process, as in production, on a fresh temporary data directory (SQLite) per run. Measured:
updates/s (updates handled / wall time from the first send to the last reply) and the reply
latency (a user's send -> the bot's awaited reply arriving at the server), medians over runs.

Bots:
  sellerbot          `sellerbot run`, exactly as shipped (its FloodLimiter included).
  sellerbot-nolimit  the same code, with the FloodLimiter's flood limits switched off
                     (no turns taken; retries on 429 kept), patched in at
                     start-up by this script. Shows what the code costs, not the limiter's pace.
  echo               bench/echo_bot.py: Application + one MessageHandler replying the same text.

Workload (sellerbot): each user registers from scratch: /start, the language button, then the
registration answers in order (typed display name, legal name, the incorporation button,
GSTIN, PAN, a category toggle, "done", account number, IFSC, the shared contact, e-mail) and
then, past the review card, "edit display name" + a new name, over and over. Every one of these
updates reads and writes the database and moves the conversation; the reply waited for is the
bot's next question (an edit of the keyboard for a category toggle). Workload (echo): text
messages, each answered by the same text. Before measuring, one warm-up user goes through the
same script, so bot start-up and first-call costs are excluded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.bot_process import SELLERBOT, TOKEN, BotProcess  # noqa: E402
from tests.e2e.seller import I18N, Answers, visible  # noqa: E402
from tests.e2e.telegram_server import ChatMessage, ScriptedUser, TelegramTestServer  # noqa: E402

HOST_CHECK = "http://127.0.0.1:"
ECHO_BOT = Path(__file__).resolve().with_name("echo_bot.py")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The bot's FloodLimiter without flood limits (429s still waited out); the rest is untouched.
NOLIMIT_SHIM = """
import sys
from bot import ratelimit
async def _no_turns(self, chat_id):
    return None
ratelimit.FloodLimiter._take_turn = _no_turns
from bot.__main__ import main
sys.exit(main(["run"]))
"""

BOTS = ("sellerbot", "sellerbot-nolimit", "sellerbot-reask", "echo")


# --------------------------------------------------------------------------- workloads


@dataclass(frozen=True)
class Step:
    """One update a user sends, and the bot reply that completes it."""

    action: str  # "text", "press" (callback_data on the last question) or "contact"
    payload: str
    wait: str  # "new" message or "edit"
    expect: str | None  # the reply's visible text starts with this (None: any)


def _en(key: str) -> str:
    return visible(I18N.texts("en")(key))


def sellerbot_steps() -> tuple[list[Step], list[Step]]:
    """The registration, then a loop that keeps every further update valid."""
    a = Answers(categories=["RET12"])  # Fashion: no FSSAI question
    ask = "onboarding.ask."
    script = [
        Step("text", "/start", "new", _en("language.choose")),
        Step("press", "lang:set:en", "new", _en("onboarding.welcome")),
        Step("text", a.display_name, "new", _en(ask + "legal_name")),
        Step("text", a.legal_name, "new", _en(ask + "incorporation_type")),
        Step("press", f"ob:inc:{a.incorporation_type}", "new", _en(ask + "gstin")),
        Step("text", a.gstin, "new", _en(ask + "pan")),
        Step("text", a.pan, "new", _en(ask + "categories")),
        Step("press", "ob:cat:RET12", "edit", None),
        Step("press", "ob:cat:done", "new", _en(ask + "account_number")),
        Step("text", a.account_number, "new", _en(ask + "ifsc")),
        Step("text", a.ifsc, "new", _en(ask + "phone")),
        Step("contact", a.phone, "new", _en(ask + "email")),
        Step("text", a.email, "new", _en("onboarding.review.title")),
    ]
    loop = [
        Step("press", "ob:edit:display_name", "new", _en(ask + "display_name")),
        Step("text", "Sharma Kirana Stores", "new", _en("onboarding.review.title")),
    ]
    return script, loop


def reask_steps() -> tuple[list[Step], list[Step]]:
    """Like the echo bot's work: one text in, one message out. An over-long shop name is
    refused and the question asked again (reason and question in one message), so each update
    goes through the conversation, the update cursor and one sendMessage, with no other write."""
    script = [
        Step("text", "/start", "new", _en("language.choose")),
        Step("press", "lang:set:en", "new", _en("onboarding.welcome")),
    ]
    too_long = visible(I18N.texts("en")("error.name_too_long", max=100))
    return script, [Step("text", "x" * 101, "new", too_long)]


def step_at(script: list[Step], loop: list[Step], index: int) -> Step:
    if index < len(script):
        return script[index]
    return loop[(index - len(script)) % len(loop)]


def echo_step(user_id: int, index: int) -> Step:
    text = f"hello {index} from {user_id}"
    return Step("text", text, "new", text)


# --------------------------------------------------------------------------- scripted user


class TimedUser:
    """A scripted user that notes when each bot message reaches the server."""

    def __init__(self, user: ScriptedUser) -> None:
        self.user = user
        self.arrivals: deque[tuple[ChatMessage, float]] = deque()
        self.target: int | None = None  # message_id of the last question (for presses)
        original = user._bot_event

        def stamped(message: ChatMessage) -> None:
            self.arrivals.append((message, time.perf_counter()))
            original(message)

        user._bot_event = stamped  # type: ignore[method-assign]

    async def do(self, step: Step, timeout: float) -> tuple[float, float]:
        """Sends the update; returns (send time, arrival time of the reply it waits for)."""
        user = self.user
        sent = time.perf_counter()
        if step.action == "text":
            await user.send_text(step.payload)
        elif step.action == "contact":
            await user.send_contact(step.payload, own=True)
        else:
            assert self.target is not None, "nothing to press yet"
            await user.press(self.target, step.payload)
        deadline = sent + timeout
        while True:
            event = await user.next_event(timeout=max(deadline - time.perf_counter(), 0.001))
            arrived = self._arrival_of(event)
            if event.event == step.wait and (
                step.expect is None or (event.text or "").startswith(step.expect)
            ):
                if event.event == "new":
                    self.target = event.message_id
                return sent, arrived

    def _arrival_of(self, event: ChatMessage) -> float:
        while self.arrivals:
            message, arrived = self.arrivals.popleft()
            if message is event:
                return arrived
        raise AssertionError("a bot message arrived without a timestamp")


# --------------------------------------------------------------------------- bot processes


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class BotUnderTest:
    """One bot subprocess pointed at the test server, started and stopped with timeouts."""

    def __init__(self, kind: str, server: TelegramTestServer, data_dir: Path) -> None:
        self.kind = kind
        self.server = server
        self.data_dir = data_dir
        self.log_path = data_dir / "bot.log"
        # The environment `sellerbot run` gets in the e2e tests (token, API URL, data dir).
        env = BotProcess(server, data_dir, SELLERBOT_LOG_LEVEL="WARNING").env
        if kind == "sellerbot":
            self.command = [str(SELLERBOT), "run"]
        elif kind in ("sellerbot-nolimit", "sellerbot-reask"):
            self.command = [sys.executable, "-c", NOLIMIT_SHIM]
        elif kind == "echo":
            self.command = [sys.executable, str(ECHO_BOT)]
            env |= {"ECHO_BOT_TOKEN": TOKEN, "ECHO_BOT_API_URL": server.url}
        else:
            raise ValueError(kind)
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 60) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        polls_before = self.server.stats.get("getUpdates", 0)
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=self.env, stdout=log, stderr=log, cwd=self.data_dir
            )
        deadline = time.monotonic() + timeout
        while self.server.stats.get("getUpdates", 0) <= polls_before:
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.kind} exited at start:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.kind} did not start polling in {timeout}s:\n{self.log()}"
                )
            await asyncio.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM (PTB finishes the updates it has fetched), SIGKILL after `timeout`."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await asyncio.wait_for(self.process.wait(), 10)
            raise RuntimeError(f"{self.kind} did not stop within {timeout}s; killed") from None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Profiler:
    """py-spy attached to the bot for the measured window (--profile)."""

    def __init__(self, pid: int, out: Path) -> None:
        self.pid = pid
        self.out = out
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        spy = Path(sys.executable).with_name("py-spy")
        self.process = await asyncio.create_subprocess_exec(
            str(spy), "record", "--pid", str(self.pid), "--rate", "250", "--idle",
            "--format", "raw", "--output", str(self.out),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(0.5)  # let it attach before the load starts

    async def stop(self) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 30)
        if self.process.returncode is None:
            self.process.kill()


# --------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    bot: str
    updates: int
    seconds: float
    latencies: list[float] = field(repr=False)
    bot_cpu: float  # share of one core over the measured window
    bench_cpu: float  # this process: test server + scripted users
    calls: dict[str, int]  # Bot API calls the bot made during the window, by method
    capped: bool

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def requests(self) -> int:
        return sum(self.calls.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


async def run_once(kind: str, args: argparse.Namespace, run: int) -> RunResult:
    server = TelegramTestServer(token=TOKEN)
    assert not server.rate_limit, "the test server's per-chat flood limit must be off"
    await server.start()
    assert server.url.startswith(HOST_CHECK)
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        bot = BotUnderTest(kind, server, Path(tmp) / "data")
        try:
            await bot.start()
            return await _drive(kind, server, bot, args, run)
        except BaseException:
            if bot.process is not None and bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
            tail = bot.log()[-3000:]
            if tail:
                print(f"--- {kind} log (tail) ---\n{tail}", file=sys.stderr)
            raise
        finally:
            await server.stop()


async def _drive(
    kind: str, server: TelegramTestServer, bot: BotUnderTest, args: argparse.Namespace, run: int
) -> RunResult:
    script, loop = reask_steps() if kind == "sellerbot-reask" else sellerbot_steps()
    seller = kind.startswith("sellerbot")

    def step(user_id: int, index: int) -> Step:
        return step_at(script, loop, index) if seller else echo_step(user_id, index)

    # Warm-up: one user through the whole script (and one loop) before the clock starts.
    warm = TimedUser(server.user(1, "Warmup", language_code="en"))
    for index in range(len(script) + len(loop)):
        await warm.do(step(1, index), args.reply_timeout)
    await warm.user.drain(idle=0.2)

    users = [
        TimedUser(server.user(100_000 + i, f"Seller{i}", language_code="en"))
        for i in range(args.users)
    ]
    latencies: list[float] = []
    stop_sending = asyncio.Event()
    last_reply = 0.0

    async def converse(timed: TimedUser) -> None:
        nonlocal last_reply
        for index in range(args.messages):
            if stop_sending.is_set():
                return
            sent, arrived = await timed.do(step(timed.user.id, index), args.reply_timeout)
            latencies.append(arrived - sent)
            last_reply = max(last_reply, arrived)

    profiler = None
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        profiler = Profiler(bot.pid, args.profile / f"{kind}-run{run}.txt")
        await profiler.start()
    calls_before = dict(server.stats)
    bot_cpu_before = proc_cpu_seconds(bot.pid)
    bench_cpu_before = time.process_time()
    started = time.perf_counter()
    tasks = [asyncio.create_task(converse(u)) for u in users]
    capped = False
    try:
        done, _ = await asyncio.wait(tasks, timeout=args.max_seconds)
        if len(done) < len(tasks):
            # Past the cap: no new sends; the updates in flight still get their replies.
            capped = True
            stop_sending.set()
            await asyncio.wait_for(asyncio.gather(*tasks), args.reply_timeout + 5)
        for task in tasks:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
    bench_cpu = time.process_time() - bench_cpu_before
    bot_cpu = proc_cpu_seconds(bot.pid) - bot_cpu_before
    calls = {m: n - calls_before.get(m, 0) for m, n in server.stats.items()}
    seconds = last_reply - started
    if profiler is not None:
        await profiler.stop()

    await asyncio.sleep(0.3)  # let trailing calls (e.g. answerCallbackQuery) land
    code = await bot.stop()
    if code != 0:
        raise RuntimeError(f"{kind} exited with {code}:\n{bot.log()[-3000:]}")
    if "Traceback" in bot.log():
        raise RuntimeError(f"{kind} logged a traceback:\n{bot.log()[-3000:]}")
    server.assert_no_errors()
    unanswered = server.unanswered_callback_queries()
    assert not unanswered, f"{len(unanswered)} callback queries were never answered"
    return RunResult(
        bot=kind,
        updates=len(latencies),
        seconds=seconds,
        latencies=latencies,
        bot_cpu=bot_cpu / seconds,
        bench_cpu=bench_cpu / seconds,
        calls={m: n for m, n in calls.items() if n},
        capped=capped,
    )


# --------------------------------------------------------------------------- report


def median(values: list[float]) -> float:
    return statistics.median(values)


def summary_rows(results: dict[str, list[RunResult]]) -> list[tuple[str, float, float, float]]:
    rows = []
    for kind, runs in results.items():
        rows.append(
            (
                kind,
                median([r.rate for r in runs]),
                median([r.percentile(50) for r in runs]),
                median([r.percentile(95) for r in runs]),
            )
        )
    return rows


def print_report(results: dict[str, list[RunResult]], args: argparse.Namespace) -> None:
    print()
    print(
        f"{args.users} users x {args.messages} updates each, closed loop, "
        f"medians of {args.repeat} run(s)"
    )
    print("sellerbot workload: /start, language button, then registration answers")
    print("  (typed names/GSTIN/PAN/bank, incorporation + category buttons, contact, e-mail;")
    print("  past the review card: 'edit display name' + a new name); echo: text messages")
    print("sellerbot-reask (no flood limits): text in, one message out: an over-long name")
    print("  refused and asked again in one message; the path closest to the echo bot's")
    print()
    print(f"{'bot':<18} {'updates/s':>10} {'p50 ms':>9} {'p95 ms':>9}")
    rows = summary_rows(results)
    for kind, rate, p50, p95 in rows:
        print(f"{kind:<18} {rate:>10.1f} {p50:>9.1f} {p95:>9.1f}")
    rates = {kind: rate for kind, rate, _, _ in rows}
    print()
    if "echo" in rates:
        for kind in ("sellerbot", "sellerbot-nolimit", "sellerbot-reask"):
            if kind in rates:
                print(f"ratio ({kind}/echo): {rates[kind] / rates['echo']:.2f}")
    print()
    print("per run: bot  updates  seconds  updates/s  p50/p95 ms  Bot API calls/update  "
          "CPU bot / bench(server+users)")  # fmt: skip
    for runs in results.values():
        for r in runs:
            cap = "  (time cap: stopped sending)" if r.capped else ""
            print(
                f"  {r.bot:<18} {r.updates:>6} {r.seconds:>7.1f}s {r.rate:>8.1f} "
                f"{r.percentile(50):>8.0f}/{r.percentile(95):<6.0f} "
                f"{r.requests / max(r.updates, 1):>5.2f}   "
                f"{r.bot_cpu:>4.0%} / {r.bench_cpu:>4.0%}{cap}"
            )
    print("Bot API calls per update, by method (last run):")
    for runs in results.values():
        r = runs[-1]
        calls = sorted(r.calls.items(), key=lambda item: -item[1])
        shown = ", ".join(f"{m} {n / max(r.updates, 1):.2f}" for m, n in calls)
        print(f"  {r.bot:<18} {shown}")
    if args.profile:
        for runs in results.values():
            path = args.profile / f"{runs[-1].bot}-run{len(runs)}.txt"
            if path.exists():
                print_profile(path)


# --------------------------------------------------------------------------- --profile


def _stacks(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    """py-spy raw output: 'frame;frame;... count' lines (a frame may span lines)."""
    stacks = []
    for stack, count in re.findall(r"(.*?) (\d+)\n", path.read_text(), flags=re.S):
        frames = []
        for frame in stack.replace("\n", " ").split(";"):
            name, _, where = frame.partition(" (")
            frames.append((name, where.rsplit(":", 1)[0]))
        stacks.append((frames, int(count)))
    return stacks


def _category(frames: list[tuple[str, str]]) -> str:
    name, where = frames[-1]
    files = [f for _, f in frames]
    if name == "EpollSelector.select":
        return "idle (waiting in epoll)"
    if any(f.startswith(("sqlalchemy/", "sqlmodel/")) or "sqlalchemy" in f for f in files):
        return "database (SQLAlchemy ORM + sqlite3)"
    if any(f.startswith(("httpx/", "httpcore/", "h11/", "anyio/")) for f in files):
        return "HTTP client (httpx/httpcore/h11)"
    if any("de_json" in n or "de_list" in n for n, _ in frames):
        return "PTB: parsing updates and responses"
    if any(n.endswith(("to_dict", "_insert_defaults")) or "RequestData" in n for n, _ in frames):
        return "PTB: building requests"
    if any(f.startswith("babel/") or f == "bot/i18n.py" for f in files):
        return "i18n"
    if where.startswith(("bot/", "conversations/")) or where.endswith("echo_bot.py"):
        return "bot code (own time)"
    if where.startswith("asyncio/"):
        return "asyncio loop and transports"
    if where.startswith("telegram/"):
        return "PTB: dispatch, handlers, other"
    return "other"


def _db_caller(frames: list[tuple[str, str]]) -> str:
    for name, where in reversed(frames):
        if where.startswith(("bot/", "conversations/")) and where != "bot/storage/db.py":
            return f"{name} ({where})"
    return "?"


def print_profile(path: Path) -> None:
    stacks = _stacks(path)
    total = sum(n for _, n in stacks) or 1
    categories: Counter[str] = Counter()
    database: Counter[str] = Counter()
    for frames, count in stacks:
        category = _category(frames)
        categories[category] += count
        if category.startswith("database"):
            database[_db_caller(frames)] += count
    print(f"\nwhere the bot's time goes ({path}, {total} py-spy samples, idle included):")
    for category, count in categories.most_common(9):
        print(f"  {100 * count / total:5.1f}%  {category}")
    if database:
        print("  database time by caller:")
        for caller, count in database.most_common(6):
            print(f"    {100 * count / total:5.1f}%  {caller}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent users (200)")
    parser.add_argument("--messages", type=int, default=10, help="updates per user (10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per bot; medians (3)")
    parser.add_argument(
        "--bots",
        default=",".join(BOTS),
        help=f"comma-separated, from {', '.join(BOTS)} (all)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=20,
        help="per run: stop sending new updates after this long (20); replies in flight are "
        "still awaited and counted",
    )
    parser.add_argument(
        "--reply-timeout", type=float, default=60, help="longest wait for one reply (60 s)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record each measured window with py-spy (raw collapsed stacks, idle included) "
        "into DIR",
    )
    args = parser.parse_args(argv)
    args.bots = [b.strip() for b in args.bots.split(",") if b.strip()]
    unknown = set(args.bots) - set(BOTS)
    if unknown:
        parser.error(f"unknown bot(s): {', '.join(sorted(unknown))}")
    if args.users < 1 or args.messages < 1 or args.repeat < 1:
        parser.error("--users, --messages and --repeat must be at least 1")
    return args


async def main_async(args: argparse.Namespace) -> None:
    results: dict[str, list[RunResult]] = {kind: [] for kind in args.bots}
    began = time.monotonic()
    for run in range(1, args.repeat + 1):
        for kind in args.bots:  # interleaved, so drift (thermal, noise) hits every bot alike
            result = await run_once(kind, args, run)
            results[kind].append(result)
            print(
                f"run {run} {kind:<18} {result.rate:8.1f} updates/s  "
                f"p50 {result.percentile(50):7.1f} ms  p95 {result.percentile(95):7.1f} ms"
                + ("  (capped)" if result.capped else ""),
                flush=True,
            )
    print_report(results, args)
    print(f"\ntotal {time.monotonic() - began:.0f} s")


def main(argv: list[str] | None = None) -> None:
    asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    main()
