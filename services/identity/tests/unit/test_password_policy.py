import pytest

from identity.domain.password_policy import MAX_LENGTH, check_password, common_passwords


def codes(password: str, email: str | None = None) -> set[str]:
    return {v.code for v in check_password(password, email=email)}


def test_blocklist_is_shipped_and_large() -> None:
    blocklist = common_passwords()
    assert len(blocklist) > 10_000
    for usual in ("123456", "password", "qwerty", "iloveyou", "1234567890", "password123"):
        assert usual in blocklist


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "Password123", "BASKETBALL"])
def test_common_passwords_are_refused_case_insensitively(password: str) -> None:
    assert "too_common" in codes(password)


def test_length_bounds() -> None:
    assert "too_short" in codes("Zq9#vL2!x")  # 9 characters
    assert codes("Zq9#vL2!xW") == set()  # exactly 10
    assert "too_long" in codes("x" * (MAX_LENGTH + 1))
    assert codes("x" * MAX_LENGTH) == set()


def test_long_uncommon_passphrase_is_accepted() -> None:
    assert check_password("correct horse battery staple") == []


def test_password_equal_to_email_is_refused() -> None:
    assert "same_as_email" in codes("ada.lovelace@example.com", email="Ada.Lovelace@example.com")
    assert "same_as_email" in codes("ada.lovelace", email="ada.lovelace@example.com")
    assert "same_as_email" not in codes("something-else-entirely", email="ada@example.com")


def test_every_violation_has_a_message() -> None:
    violations = check_password("123456")
    assert {v.code for v in violations} == {"too_short", "too_common"}
    assert all(v.message for v in violations)
