"""Diet tags, allergens and meal suitability on known SR28 foods."""

from __future__ import annotations

import pytest

from nutrition.domain.catalogue import Food, load_bundled_foods, load_foods


@pytest.fixture(scope="module")
def by_ndb() -> dict[str, Food]:
    return {f.ndb_no: f for f in load_bundled_foods()}


def test_catalogue_parses_all_rows_and_keeps_empty_as_none(by_ndb: dict[str, Food]) -> None:
    assert len(by_ndb) == 8789
    butter = by_ndb["01001"]
    assert (butter.kcal, butter.protein_g, butter.fat_g) == (717, 0.85, 81.11)
    rice = by_ndb["20041"]  # brown rice, cooked: SR28 has no sugars value
    assert rice.sugars_g is None
    assert rice.fiber_g == 1.8


def test_load_foods_from_text() -> None:
    text = (
        "ndb_no,description,food_group,kcal,protein_g,fat_g,sat_fat_g,carbs_g,sugars_g,"
        "fiber_g,sodium_mg,water_g\n"
        '09003,"Apples, raw, with skin",Fruits and Fruit Juices,52,0.26,0.17,0.028,13.81,'
        "10.39,2.4,,85.56\n"
    )
    (apple,) = load_foods(text)
    assert apple.sodium_mg is None  # empty cell ≠ 0
    assert apple.fiber_g == 2.4
    assert "vegan" in apple.tags


@pytest.mark.parametrize(
    ("ndb_no", "tags", "allergens"),
    [
        # Butter, salted: milk; vegetarian, not vegan, not lactose free.
        ("01001", {"vegetarian", "gluten_free"}, {"milk"}),
        # Chicken breast, roasted: no diet tag except gluten/lactose free.
        ("05064", {"gluten_free", "lactose_free"}, set()),
        # Bread, whole-wheat, commercially prepared: wheat, not gluten free, composite.
        ("18075", {"vegetarian"}, {"wheat"}),
        # Peanuts, all types, dry-roasted, without salt.
        ("16390", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, {"peanuts"}),
        # Egg, whole, cooked, hard-boiled.
        ("01129", {"vegetarian", "gluten_free", "lactose_free"}, {"egg"}),
        # Apples, raw, with skin.
        ("09003", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, set()),
        # Lentils, boiled.
        ("16070", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, set()),
        # Tofu, firm, prepared with nigari.
        ("16126", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, {"soy"}),
        # Almonds.
        ("12061", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, {"tree_nuts"}),
        # Sesame seeds, whole, dried.
        ("12023", {"vegan", "vegetarian", "gluten_free", "lactose_free"}, {"sesame"}),
        # Crustaceans, shrimp, raw: shellfish, not fish.
        ("15270", {"gluten_free", "lactose_free"}, {"shellfish"}),
        # Salmon, Atlantic, farmed, cooked: fish.
        ("15237", {"gluten_free", "lactose_free"}, {"fish"}),
        # Cheddar cheese.
        ("01009", {"vegetarian", "gluten_free"}, {"milk"}),
    ],
)
def test_known_foods(
    by_ndb: dict[str, Food], ndb_no: str, tags: set[str], allergens: set[str]
) -> None:
    food = by_ndb[ndb_no]
    assert set(food.tags) == tags, food.description
    assert set(food.allergens) == allergens, food.description


def test_gluten_free_bread_is_claimed_only_when_labelled(by_ndb: dict[str, Food]) -> None:
    gf = [f for f in by_ndb.values() if f.description.startswith("Bread, gluten-free")]
    assert gf
    assert all("gluten_free" in f.tags and "wheat" not in f.allergens for f in gf)
    wheat_breads = [f for f in by_ndb.values() if f.description.startswith("Bread, wheat")]
    assert wheat_breads
    assert all("gluten_free" not in f.tags and "wheat" in f.allergens for f in wheat_breads)


def test_conservative_for_composites(by_ndb: dict[str, Food]) -> None:
    # Nothing in a composite group is claimed vegan unless the description says so.
    for food in by_ndb.values():
        if food.food_group in {"Baked Products", "Breakfast Cereals", "Snacks", "Sweets"}:
            assert "vegan" not in food.tags or "vegan" in food.description.lower()
        if food.food_group in {"Beef Products", "Poultry Products", "Pork Products"}:
            assert "vegetarian" not in food.tags
            assert "vegan" not in food.tags


def test_vegan_implies_vegetarian_and_no_animal_allergens(by_ndb: dict[str, Food]) -> None:
    for food in by_ndb.values():
        if "vegan" in food.tags:
            assert "vegetarian" in food.tags
            assert not food.allergens & {"milk", "egg", "fish", "shellfish"}, food.description
        if "lactose_free" in food.tags and "lactose" not in food.description.lower():
            assert "milk" not in food.allergens, food.description


@pytest.mark.parametrize(
    ("ndb_no", "role", "slots"),
    [
        ("05064", "protein", {"lunch", "dinner"}),  # chicken breast roasted
        ("01129", "protein", {"breakfast", "lunch"}),  # hard-boiled egg
        ("09003", "fruit", {"breakfast", "lunch", "dinner", "snack"}),
        ("04053", "fat", {"breakfast", "lunch", "dinner"}),  # olive oil
    ],
)
def test_meal_roles(by_ndb: dict[str, Food], ndb_no: str, role: str, slots: set[str]) -> None:
    food = by_ndb[ndb_no]
    assert food.role == role
    assert set(food.slots) == slots


def test_no_steak_for_breakfast_and_no_raw_meat(by_ndb: dict[str, Food]) -> None:
    beef = [f for f in by_ndb.values() if f.food_group == "Beef Products" and f.suggestible]
    assert beef
    assert all("breakfast" not in f.slots for f in beef)
    animal = {
        "Beef Products",
        "Pork Products",
        "Poultry Products",
        "Finfish and Shellfish Products",
        "Lamb, Veal, and Game Products",
    }
    assert not [
        f
        for f in by_ndb.values()
        if f.food_group in animal and f.suggestible and ", raw" in f.description
    ]
    assert not by_ndb["05062"].suggestible  # chicken breast, raw


@pytest.mark.parametrize(
    "group",
    ["Baby Foods", "Spices and Herbs", "Fast Foods", "Restaurant Foods", "Sweets"],
)
def test_excluded_groups(by_ndb: dict[str, Food], group: str) -> None:
    assert not [f for f in by_ndb.values() if f.food_group == group and f.suggestible]
