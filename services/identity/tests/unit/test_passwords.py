from argon2 import extract_parameters

from identity.passwords import (
    OWASP_MEMORY_COST_KIB,
    OWASP_PARALLELISM,
    OWASP_TIME_COST,
    Argon2Params,
    PasswordHashing,
)


def test_owasp_parameters() -> None:
    # OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
    assert (OWASP_MEMORY_COST_KIB, OWASP_TIME_COST, OWASP_PARALLELISM) == (19456, 2, 1)


async def test_hash_uses_argon2id_with_configured_parameters() -> None:
    hashing = PasswordHashing()
    encoded = await hashing.hash("correct horse battery staple")
    assert encoded.startswith("$argon2id$")
    params = extract_parameters(encoded)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


async def test_verify_accepts_right_and_refuses_wrong_or_garbage() -> None:
    hashing = PasswordHashing()
    encoded = await hashing.hash("correct horse battery staple")
    assert await hashing.verify(encoded, "correct horse battery staple")
    assert not await hashing.verify(encoded, "correct horse battery stapler")
    assert not await hashing.verify("not-a-hash", "anything")


async def test_needs_rehash_when_parameters_change() -> None:
    weak = PasswordHashing(Argon2Params(memory_cost_kib=8192, time_cost=1))
    current = PasswordHashing()
    old_hash = await weak.hash("correct horse battery staple")
    assert current.needs_rehash(old_hash)
    assert not current.needs_rehash(await current.hash("correct horse battery staple"))
    assert current.needs_rehash("garbage")


async def test_dummy_verify_runs_a_real_verification() -> None:
    hashing = PasswordHashing()
    await hashing.dummy_verify("whatever-password")
    assert hashing._dummy_hash is not None
    assert hashing._dummy_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
