"""Bulk-load the bundled SR28 catalogue into ``foods``/``portions`` with COPY.

Runs from the Alembic data migration (so ``make migrate``/``make up`` fill a fresh schema) and as
``python -m nutrition.foods.load [--force]`` to reload after the CSVs or tagging rules change.
Idempotent: without ``--force`` an already-loaded catalogue is left alone. Custom (admin) foods
are never touched.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from nutrition.domain import catalogue

log = logging.getLogger(__name__)

FOOD_COLUMNS = (
    "id",
    "source",
    "ndb_no",
    "description",
    "food_group",
    "kcal",
    "protein_g",
    "fat_g",
    "sat_fat_g",
    "carbs_g",
    "sugars_g",
    "fiber_g",
    "sodium_mg",
    "tags",
    "allergens",
    "composite",
    "role",
    "slots",
)
PORTION_COLUMNS = ("food_id", "seq", "amount", "unit", "grams")


def load_catalogue_sync(conn: Any, *, force: bool = False) -> int:
    """Load into the current ``search_path`` over a psycopg 3 (sync) connection; the caller
    commits. Returns the number of foods written (0 when already loaded)."""
    started = time.monotonic()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM foods WHERE source = 'sr28'")
        row = cur.fetchone()
        if row and row[0] and not force:
            return 0
        # Portions go with their food (ON DELETE CASCADE); diary rows keep their snapshot.
        cur.execute("DELETE FROM foods WHERE source = 'sr28'")
        foods = catalogue.load_foods(catalogue.bundled_csv_path(catalogue.FOODS_CSV))
        portions = catalogue.load_portions(catalogue.bundled_csv_path(catalogue.PORTIONS_CSV))
        with cur.copy(f"COPY foods ({', '.join(FOOD_COLUMNS)}) FROM STDIN") as copy:
            for f in foods:
                copy.write_row(
                    (
                        int(f.ndb_no),
                        "sr28",
                        f.ndb_no,
                        f.description,
                        f.food_group,
                        f.kcal,
                        f.protein_g,
                        f.fat_g,
                        f.sat_fat_g,
                        f.carbs_g,
                        f.sugars_g,
                        f.fiber_g,
                        f.sodium_mg,
                        sorted(f.tags),
                        sorted(f.allergens),
                        f.composite,
                        f.role,
                        sorted(f.slots),
                    )
                )
        known = {f.ndb_no for f in foods}
        seq: dict[str, int] = {}
        with cur.copy(f"COPY portions ({', '.join(PORTION_COLUMNS)}) FROM STDIN") as copy:
            for p in portions:
                if p.ndb_no not in known:
                    continue
                seq[p.ndb_no] = seq.get(p.ndb_no, 0) + 1
                copy.write_row((int(p.ndb_no), seq[p.ndb_no], p.amount, p.unit, p.grams))
    log.info(
        "food catalogue loaded",
        extra={"foods": len(foods), "duration_s": round(time.monotonic() - started, 2)},
    )
    return len(foods)


def main(argv: list[str] | None = None) -> None:
    import psycopg

    from fitness_platform.db import check_schema_name, to_libpq_url
    from fitness_platform.logging import configure_logging
    from nutrition.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reload even if already loaded")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.service_name, settings.log_level)
    schema = check_schema_name(settings.db_schema)
    with psycopg.connect(
        to_libpq_url(settings.database_url), options=f"-csearch_path={schema}"
    ) as conn:
        written = load_catalogue_sync(conn, force=args.force)
        conn.commit()
    print(f"foods written: {written}")


if __name__ == "__main__":
    main()
