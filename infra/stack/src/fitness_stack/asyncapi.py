"""AsyncAPI documents of every service's events, made with FastStream from the real code.

``python -m fitness_stack.asyncapi [--check] [DIR]`` writes ``docs/asyncapi/<service>.json``:
each service's consumers (registered by its own ``consumers.register`` on a broker that never
connects) and the events it publishes (its ``fitness_contracts`` classes, one channel per
CloudEvents type, payload = the class's JSON Schema). ``--check`` fails when a committed
document is out of date (the test suite runs it).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from fitness_stack.migrations import repo_root

SERVICES = ("identity", "nutrition", "training", "progress", "goals", "media")
DOCS = Path("docs") / "asyncapi"


def _settings(service: str) -> Any:
    module = importlib.import_module(f"{service}.settings")
    cls: Any = next(
        obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and name.endswith("Settings") and obj.__module__ == module.__name__
    )
    # Defaults only (no env, no production validator): just what the broker and consumers read.
    return cls.model_construct(kafka_bootstrap_servers="kafka:9092")


def document(service: str) -> dict[str, Any]:
    from faststream.specification import AsyncAPI

    from fitness_contracts.registry import EVENT_CLASSES
    from fitness_platform.events import make_broker, one_consumer_group

    settings = _settings(service)
    broker = make_broker(settings)
    consumers = importlib.import_module(f"{service}.consumers")
    register = consumers.register
    # Collaborators the handlers close over (S3 stores, session factories) are never called here.
    extra = {
        name: None
        for name, param in inspect.signature(register).parameters.items()
        if param.kind is param.KEYWORD_ONLY
        and param.default is param.empty
        and name not in ("settings",)
    }
    # As the process runs them: one Kafka consumer group for all of them (run_worker), named
    # after the process that hosts them (`<service>.consumer`, else `<service>.worker`).
    process = "consumer" if importlib.util.find_spec(f"{service}.consumer") else "worker"
    with one_consumer_group(broker, settings, process):
        register(broker, settings=settings, **extra)
    for cls in EVENT_CLASSES:
        if cls.event_type.split(".", 1)[0] == service:
            broker.publisher(
                cls.topic,
                title=cls.event_type,
                schema=cls,
                description=(
                    f"`{cls.event_type}` on `{cls.topic}`, keyed by user id; CloudEvents 1.0 "
                    "binary binding (ce_* headers), published through the transactional outbox."
                ),
            )
    spec = AsyncAPI(
        broker,
        title=f"Fitness {service} events",
        version="0.1.0",
        description=f"Events the {service} service publishes and the topics it consumes.",
    ).to_specification()
    data: dict[str, Any] = spec.to_jsonable()
    return data


def render(service: str) -> str:
    return json.dumps(document(service), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a document is stale")
    parser.add_argument("dir", nargs="?", default=str(repo_root() / DOCS))
    args = parser.parse_args(argv)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    stale = []
    for service in SERVICES:
        path = out / f"{service}.json"
        text = render(service)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        print("stale AsyncAPI documents (run `make asyncapi`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
