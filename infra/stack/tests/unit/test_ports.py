import socket

import pytest

from fitness_stack.ports import BACKING_PORTS, MAX_OFFSET, SERVICE_PORTS, Ports, free_port_offset


def test_default_ports_match_the_documented_plan() -> None:
    ports = Ports.for_offset(0)
    assert ports.services["gateway"] == 8000
    assert ports.services["identity"] == 8001
    assert ports.services["media"] == 8006
    assert (ports.postgres, ports.redis, ports.kafka, ports.s3, ports.smtp) == (
        55432,
        56379,
        59092,
        59000,
        51025,
    )


def test_offset_shifts_every_port() -> None:
    base, shifted = Ports.for_offset(0), Ports.for_offset(123)
    assert [p + 123 for p in base.all()] == shifted.all()
    assert len(set(shifted.all())) == len(SERVICE_PORTS) + len(BACKING_PORTS)


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, -1001])
def test_offset_out_of_range_is_refused(offset: int) -> None:
    with pytest.raises(ValueError, match="port offset"):
        Ports.for_offset(offset)


def test_free_port_offset_is_nonzero_and_all_ports_bindable() -> None:
    offset = free_port_offset()
    assert offset != 0
    for port in Ports.for_offset(offset).all():
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
