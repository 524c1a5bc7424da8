"""Diet tags and allergens derived from an SR28 food's description and food group.

SR28 has no ingredient lists, so this is a keyword/group heuristic. It is deliberately
conservative in the direction that protects the user:
- a diet tag (vegan, vegetarian, gluten_free, lactose_free) is only claimed when the rules are
  sure; composite foods (bakery, cereals, snacks, soups, beverages, processed meats...) whose
  ingredients the description does not reveal never get vegan/gluten_free/lactose_free unless
  the description says so explicitly;
- an allergen is flagged whenever a keyword suggests it, even at the cost of false positives
  (e.g. refined soybean oil, which FALCPA exempts, is still flagged soy);
- `composite=True` marks foods whose allergens cannot be ruled out: the planner drops them when
  the user excludes any allergen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIET_TAGS = ("vegan", "vegetarian", "gluten_free", "lactose_free")
# FDA "major food allergens" (FALCPA 2004 + FASTER Act 2021 adds sesame). We also count
# molluscs under shellfish (an EU Annex II allergen) to be safe.
ALLERGENS = (
    "milk",
    "egg",
    "fish",
    "shellfish",
    "tree_nuts",
    "peanuts",
    "wheat",
    "soy",
    "sesame",
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


MEAT_GROUPS = frozenset(
    {
        "Beef Products",
        "Pork Products",
        "Lamb, Veal, and Game Products",
        "Poultry Products",
        "Sausages and Luncheon Meats",
        "Finfish and Shellfish Products",
    }
)

# Groups whose items are, by and large, one plain ingredient: the description tells what it is.
SINGLE_INGREDIENT_GROUPS = frozenset(
    {
        "Vegetables and Vegetable Products",
        "Fruits and Fruit Juices",
        "Legumes and Legume Products",
        "Nut and Seed Products",
        "Cereal Grains and Pasta",
        "Spices and Herbs",
        "Dairy and Egg Products",
        "Beef Products",
        "Pork Products",
        "Lamb, Veal, and Game Products",
        "Poultry Products",
        "Finfish and Shellfish Products",
    }
)

# Even inside single-ingredient groups these descriptions are mixtures with unknown ingredients.
COMPOSITE_MARKERS = _rx(
    r"\b(breaded|batter|with sauce|in sauce|sauce|gravy|stuffed|salad|pie|casserole|"
    r"dinner|entree|frozen meal|prepared[- ]from[- ]recipe|mix|mixed|"
    r"substitute|imitation|flavored|formulated|MORNINGSTAR|meatless|veggie)\b"
)

# Words that mean meat, poultry, fish or other slaughter products (→ not vegetarian).
MEAT_WORDS = _rx(
    r"\b(beef|pork|ham|bacon|lamb|veal|mutton|chicken|turkey|duck|goose|poultry|meat|meats|"
    r"sausage|salami|pepperoni|bologna|frankfurter|hot dog|fish|anchov\w*|tuna|salmon|cod|"
    r"sardine\w*|shrimp|crab|lobster|clam\w*|oyster\w*|mussel\w*|scallop\w*|squid|octopus|"
    r"gelatin|lard|tallow|suet|broth|bouillon|stock|venison|bison|rabbit|liver|"
    r"worcestershire|caesar|rennet|animal fat)\b"
)
# Plant phrases that contain a meat word.
MEAT_LOOKALIKES = _rx(r"\b(coconut meat|nut ?meats?|meatless|kernel meat)\b")
# Words that mean an animal product acceptable to vegetarians (→ not vegan).
ANIMAL_PRODUCT_WORDS = _rx(
    r"\b(milk|cheese|butter|buttermilk|cream|yogurt|yoghurt|whey|casein\w*|egg|eggs|honey|"
    r"ghee|kefir|custard|mayonnaise|lactose|dairy)\b"
)
# Plant uses of the dairy words above, which do not imply an animal product.
PLANT_DAIRY_LOOKALIKES = _rx(
    r"\b(coconut (milk|cream)|soy ?milk|almond milk|rice milk|oat milk|soymilk|"
    r"peanut butter|\w+ nut butter|almond butter|cashew butter|sesame butter|apple butter|"
    r"cocoa butter|butternut|butterbur|butterhead|butter ?beans?|buttercup|cream of tartar|"
    r"eggplant|egg ?plant|milkfish|milk thistle|creamed corn)\b"
)


# Explicit claims in a description that lift the conservative default.
EXPLICIT_GLUTEN_FREE = _rx(r"\bgluten[- ]free\b")


@dataclass(frozen=True, slots=True)
class AllergenRule:
    allergen: str
    pattern: re.Pattern[str] | None  # None: the group alone decides
    groups: frozenset[str] | None = None  # restrict to these groups; None: any group
    unless: re.Pattern[str] | None = None
    why: str = ""


ALLERGEN_RULES: tuple[AllergenRule, ...] = (
    AllergenRule(
        "milk",
        None,
        frozenset({"Dairy and Egg Products"}),
        unless=_rx(r"^egg(?!.*substitute)"),
        why="everything in the dairy group except plain eggs is milk-based (substitutes too: "
        "many contain caseinate)",
    ),
    AllergenRule(
        "milk",
        _rx(
            r"\b(milk|cheese|butter|buttermilk|cream|creamed|yogurt|yoghurt|whey|casein\w*|"
            r"ghee|kefir|custard|ice cream|lactose|alfredo|au gratin|scalloped|dairy|scrambled|"
            r"omelet\w*)\b"
        ),
        unless=PLANT_DAIRY_LOOKALIKES,
        why="dairy words anywhere (coconut milk, peanut butter, butternut are not dairy)",
    ),
    AllergenRule(
        "egg",
        _rx(r"\b(egg|eggs|eggnog|mayonnaise|meringue|custard|french toast)\b"),
        unless=_rx(r"\begg ?plant\b"),
        why="egg words; eggplant is a vegetable",
    ),
    AllergenRule(
        "egg",
        _rx(r"\b(noodles|pasta|pancakes?|waffles?)\b"),
        unless=_rx(r"\b(rice noodles|soba|gluten-free)\b"),
        why="egg noodles, pancakes and waffles usually contain egg",
    ),
    AllergenRule(
        "fish",
        None,
        frozenset({"Finfish and Shellfish Products"}),
        unless=_rx(r"^(crustaceans|mollusks)\b"),
        why="the finfish group is fish unless the item is a crustacean or mollusc",
    ),
    AllergenRule(
        "fish",
        _rx(
            r"\b(fish|anchov\w*|tuna|salmon|cod|haddock|pollock|sardine\w*|herring|mackerel|"
            r"trout|tilapia|halibut|flounder|sole|catfish|carp|bass|perch|pike|snapper|"
            r"swordfish|roe|caviar|surimi|worcestershire|caesar)\b"
        ),
        why="fish names anywhere; Worcestershire and Caesar dressing contain anchovy",
    ),
    AllergenRule(
        "shellfish",
        _rx(
            r"\b(crustaceans?|mollusks?|shrimp|prawns?|crab|lobster|crayfish|langoustine|"
            r"clam\w*|oyster\w*|mussel\w*|scallop\w*|squid|calamari|octopus|abalone|whelk|"
            r"conch|snail|cuttlefish|krill)\b"
        ),
        unless=_rx(r"\bscalloped\b"),
        why="crustaceans (FDA major allergen) and molluscs (EU allergen); scalloped potatoes "
        "are not scallops",
    ),
    AllergenRule(
        "tree_nuts",
        _rx(
            r"\b(almonds?|cashews?|pecans?|walnuts?|pistachios?|hazelnuts?|filberts?|"
            r"macadamia|brazil ?nuts?|pine ?nuts?|pinyon|pignolia|chestnuts?|beechnuts?|"
            r"butternuts?|hickory ?nuts?|coconut|praline|marzipan|nutella|gianduja)\b"
        ),
        unless=_rx(r"\bbutternut squash\b|\bsquash, winter, butternut\b"),
        why="tree-nut names; coconut conservatively included (FDA listed it until 2025)",
    ),
    AllergenRule(
        "tree_nuts",
        _rx(r"^nuts,|\bmixed nuts\b|\bnuts\b"),
        why="'Nuts, ...' descriptions are tree nuts unless named peanuts",
    ),
    AllergenRule("peanuts", _rx(r"\bpeanuts?\b|\bgoober"), why="peanut words"),
    AllergenRule(
        "wheat",
        None,
        frozenset({"Baked Products"}),
        unless=EXPLICIT_GLUTEN_FREE,
        why="bakery is wheat-based unless explicitly gluten-free",
    ),
    AllergenRule(
        "wheat",
        _rx(
            r"\b(wheat|flour|bread|breaded|breadcrumbs|crumbs|croutons|pasta|spaghetti|"
            r"macaroni|noodles|couscous|bulgur|bulgar|semolina|durum|farina|seitan|spelt|"
            r"triticale|kamut|einkorn|emmer|graham|cracker\w*|biscuits?|pretzels?|bagels?|"
            r"muffins?|pancakes?|waffles?|pizza|pastry|pie|cake|cookies?|doughnuts?|"
            r"batter|tortillas?|pita|dumplings?|wonton|ravioli|lasagna|bran)\b"
        ),
        unless=_rx(
            r"gluten-free|\b(rice|corn|soy|potato|chickpea|buckwheat|almond|coconut|cassava|"
            r"tapioca) (flour|noodles|pasta|tortillas?|cakes?|bran)\b|\boat bran\b|"
            r"\bbuckwheat\b(?!.*wheat\b.*wheat)"
        ),
        why="wheat and wheat-based foods; rice/corn/soy flours and noodles are not wheat",
    ),
    AllergenRule(
        "soy",
        _rx(
            r"\b(soy|soya|soybeans?|soymilk|tofu|tempeh|miso|edamame|natto|okara|"
            r"textured vegetable protein|tvp|teriyaki|shoyu|tamari|lecithin)\b"
        ),
        why="soy words (refined soybean oil is flagged too, conservatively)",
    ),
    AllergenRule("sesame", _rx(r"\b(sesame|tahini|benne|halvah|halva)\b"), why="sesame words"),
)

GLUTEN_GRAINS = _rx(
    r"\b(barley|rye|malt\w*|oats?|oatmeal|oat bran|triticale|brewer'?s yeast|beer)\b"
)
EXPLICIT_LACTOSE_FREE = _rx(r"\blactose[- ]free\b|\bLACTOFREE\b")
EXPLICIT_VEGAN = _rx(r"\bvegan\b")


@dataclass(frozen=True, slots=True)
class FoodTags:
    tags: frozenset[str]
    allergens: frozenset[str]
    composite: bool


def is_composite(description: str, food_group: str) -> bool:
    """True when the description cannot tell us all ingredients."""
    if food_group == "Fats and Oils":
        # A named plain oil or butter is one ingredient; spreads and dressings are mixtures.
        return not re.match(r"^(oil,|butter,)", description, re.IGNORECASE)
    if food_group not in SINGLE_INGREDIENT_GROUPS:
        return True
    return bool(COMPOSITE_MARKERS.search(description))


def derive_allergens(description: str, food_group: str) -> frozenset[str]:
    found: set[str] = set()
    for rule in ALLERGEN_RULES:
        if rule.groups is not None and food_group not in rule.groups:
            continue
        if rule.pattern is not None:
            text = description
            if rule.unless is not None:
                # Remove the look-alike phrases, then look again, so "coconut milk and cream"
                # still finds "cream".
                text = rule.unless.sub(" ", text)
            if rule.pattern.search(text):
                found.add(rule.allergen)
        elif rule.unless is None or not rule.unless.search(description):
            found.add(rule.allergen)
    if EXPLICIT_GLUTEN_FREE.search(description):
        # A product labelled gluten-free is made without wheat (its "bread" is rice/corn based).
        found.discard("wheat")
    return frozenset(found)


def derive_tags(description: str, food_group: str) -> FoodTags:
    allergens = derive_allergens(description, food_group)
    composite = is_composite(description, food_group)
    text_wo_plant_lookalikes = PLANT_DAIRY_LOOKALIKES.sub(" ", description)

    has_meat = food_group in MEAT_GROUPS or bool(
        MEAT_WORDS.search(MEAT_LOOKALIKES.sub(" ", description))
    )
    if food_group == "Fats and Oils" and re.match(
        r"^(fat,|lard|tallow|suet|fish oil)", description, re.IGNORECASE
    ):
        has_meat = True
    has_fish_allergen = "fish" in allergens or "shellfish" in allergens
    vegetarian = not has_meat and not has_fish_allergen
    # Composites: vegetarian is still claimed when no meat word appears (bread, cereal), which is
    # the usual lacto-ovo reading; hidden lard/gelatin is the known residual risk, so sweets,
    # soups and mixed dishes (groups where broth/gelatin are common) are not claimed.
    if food_group in {
        "Soups, Sauces, and Gravies",
        "Sweets",
        "Fast Foods",
        "Restaurant Foods",
        "Meals, Entrees, and Side Dishes",
        "Baby Foods",
        "American Indian/Alaska Native Foods",
    }:
        vegetarian = False

    animal_product = (
        "milk" in allergens
        or "egg" in allergens
        or bool(ANIMAL_PRODUCT_WORDS.search(text_wo_plant_lookalikes))
    )
    vegan = (
        vegetarian
        and not animal_product
        and (not composite or bool(EXPLICIT_VEGAN.search(description)))
    )

    gluten_free = (
        "wheat" not in allergens
        and not GLUTEN_GRAINS.search(description)
        and (not composite or bool(EXPLICIT_GLUTEN_FREE.search(description)))
    )
    if EXPLICIT_GLUTEN_FREE.search(description):
        gluten_free = True

    lactose_free = ("milk" not in allergens and not composite) or bool(
        EXPLICIT_LACTOSE_FREE.search(description)
    )

    tags = {
        name
        for name, ok in (
            ("vegan", vegan),
            ("vegetarian", vegetarian),
            ("gluten_free", gluten_free),
            ("lactose_free", lactose_free),
        )
        if ok
    }
    return FoodTags(tags=frozenset(tags), allergens=allergens, composite=composite)
