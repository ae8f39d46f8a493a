"""Codes that cannot be guessed, typed loosely, and a sender who keeps guessing is ignored for a while."""

from core.access_codes import (
    ALPHABET,
    CODE_BITS,
    GuessLimiter,
    GuessRules,
    code_hash,
    looks_like_code,
    new_code,
)


def test_codes_carry_60_bits_in_three_groups_of_unambiguous_symbols():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BITS >= 60
    for code in list(codes)[:50]:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
        assert not set("01OI") & set(code)


def test_a_code_typed_in_lower_case_or_without_dashes_is_the_same_code():
    code = new_code()
    assert code_hash(code.lower()) == code_hash(code.replace("-", " ")) == code_hash(code)
    assert looks_like_code(code.lower().replace("-", ""))
    assert not looks_like_code("bonjour tout le monde")


def test_five_wrong_codes_lock_the_sender_out_for_an_hour_and_alert_once():
    now = [0.0]
    limiter = GuessLimiter(GuessRules(attempts=5, window=900, lockout=3600), lambda: now[0])
    assert [limiter.failed("telegram:9") for _ in range(4)] == [False] * 4
    assert not limiter.is_locked("telegram:9")
    assert limiter.failed("telegram:9")
    assert limiter.is_locked("telegram:9") and not limiter.is_locked("telegram:10")
    assert limiter.should_alert("telegram:9")
    assert not limiter.should_alert("telegram:9")
    now[0] = 3601
    assert not limiter.is_locked("telegram:9")
    assert not limiter.should_alert("telegram:9")


def test_wrong_codes_spread_over_more_than_the_window_do_not_lock():
    now = [0.0]
    limiter = GuessLimiter(GuessRules(attempts=3, window=60, lockout=600), lambda: now[0])
    for _ in range(6):
        assert not limiter.failed("x")
        now[0] += 31


def test_a_flood_of_new_senders_stays_bounded_while_a_lockout_holds():
    now = [0.0]
    limiter = GuessLimiter(GuessRules(attempts=2, window=60, lockout=600), lambda: now[0])
    limiter.failed("mallory")
    limiter.failed("mallory")
    for n in range(10_000):
        now[0] += 0.01
        limiter.failed(f"bot{n}")
    assert len(limiter._failures) + len(limiter._locked_until) <= 2 * 4096 + 2
    assert limiter.is_locked("mallory")
