"""SR28 food groups → meal-slot suitability and a coarse meal role.

The meal planner only suggests foods that a person would eat as an item of a meal, at a time of
day where it is usual ("no steak for breakfast"). Rules are data: a per-group default plus
description rules that refine the role/slots or exclude a food from suggestions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Slot = Literal["breakfast", "lunch", "dinner", "snack"]
Role = Literal["protein", "starch", "vegetable", "fruit", "dairy", "fat", "drink", "snack", "soup"]

ALL_SLOTS: tuple[Slot, ...] = ("breakfast", "lunch", "dinner", "snack")
_MAIN: frozenset[Slot] = frozenset({"lunch", "dinner"})
_ANY: frozenset[Slot] = frozenset(ALL_SLOTS)


@dataclass(frozen=True, slots=True)
class GroupProfile:
    role: Role | None  # None: never suggested
    slots: frozenset[Slot]
    why: str


# Default per SR28 group. Groups with role None are excluded from suggestions entirely.
GROUP_PROFILES: dict[str, GroupProfile] = {
    "Beef Products": GroupProfile("protein", _MAIN, "main-meal meat; no steak for breakfast"),
    "Pork Products": GroupProfile("protein", _MAIN, "main-meal meat"),
    "Lamb, Veal, and Game Products": GroupProfile("protein", _MAIN, "main-meal meat"),
    "Poultry Products": GroupProfile("protein", _MAIN, "main-meal meat"),
    "Finfish and Shellfish Products": GroupProfile("protein", _MAIN, "main-meal fish"),
    "Sausages and Luncheon Meats": GroupProfile(
        "protein", frozenset({"breakfast", "lunch"}), "cold cuts/sausages: breakfast, sandwiches"
    ),
    "Legumes and Legume Products": GroupProfile(
        "protein", _MAIN, "beans, lentils and tofu are the plant protein of a main meal"
    ),
    "Dairy and Egg Products": GroupProfile(
        "dairy", frozenset({"breakfast", "lunch", "snack"}), "milk, yoghurt, cheese"
    ),
    "Cereal Grains and Pasta": GroupProfile("starch", _MAIN, "rice, pasta, grains as a side"),
    "Breakfast Cereals": GroupProfile("starch", frozenset({"breakfast"}), "breakfast only"),
    "Baked Products": GroupProfile(
        "snack", frozenset({"snack"}), "cakes/cookies/pastries: snack (bread refined below)"
    ),
    "Vegetables and Vegetable Products": GroupProfile(
        "vegetable", frozenset({"lunch", "dinner", "snack"}), "side vegetables, raw veg as snack"
    ),
    "Fruits and Fruit Juices": GroupProfile("fruit", _ANY, "fruit fits any meal"),
    "Nut and Seed Products": GroupProfile(
        "fat", frozenset({"breakfast", "snack"}), "nuts/seeds: topping or snack, fat-dense"
    ),
    "Fats and Oils": GroupProfile(
        "fat", frozenset({"breakfast", "lunch", "dinner"}), "cooking oil, butter on bread"
    ),
    "Beverages": GroupProfile("drink", _ANY, "drinks go with any meal"),
    "Snacks": GroupProfile("snack", frozenset({"snack"}), "snack foods only as snacks"),
    "Soups, Sauces, and Gravies": GroupProfile("soup", _MAIN, "soups as a lunch/dinner course"),
    # Excluded groups, with the reason:
    "Baby Foods": GroupProfile(None, frozenset(), "infant products are not adult meal items"),
    "Spices and Herbs": GroupProfile(None, frozenset(), "seasonings, not eaten as an item"),
    "Sweets": GroupProfile(
        None, frozenset(), "candy/sugars: a plan should not prescribe discretionary sugar"
    ),
    "Fast Foods": GroupProfile(
        None, frozenset(), "branded composite dishes, high sodium; a plan proposes home foods"
    ),
    "Restaurant Foods": GroupProfile(None, frozenset(), "restaurant dishes, not home foods"),
    "Meals, Entrees, and Side Dishes": GroupProfile(
        None, frozenset(), "branded kits/frozen meals, often 'unprepared' values"
    ),
    "American Indian/Alaska Native Foods": GroupProfile(
        None, frozenset(), "regional specialities (e.g. whale blubber) not generally available"
    ),
}


@dataclass(frozen=True, slots=True)
class DescriptionRule:
    pattern: re.Pattern[str]
    groups: frozenset[str] | None  # None: any group
    role: Role | None = None  # override role
    slots: frozenset[Slot] | None = None  # override slots
    exclude: bool = False
    why: str = ""


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ANIMAL_GROUPS = frozenset(
    {
        "Beef Products",
        "Pork Products",
        "Lamb, Veal, and Game Products",
        "Poultry Products",
        "Finfish and Shellfish Products",
        "Sausages and Luncheon Meats",
    }
)

# Applied in order; every matching rule applies (an exclusion wins).
DESCRIPTION_RULES: tuple[DescriptionRule, ...] = (
    # --- exclusions: not edible as they are, or not a meal item ---
    DescriptionRule(
        _rx(r",\s*raw\b"),
        _ANIMAL_GROUPS,
        exclude=True,
        why="raw meat/poultry/fish must be cooked: suggest the cooked variant",
    ),
    DescriptionRule(
        _rx(r"^egg.*\braw\b"),
        frozenset({"Dairy and Egg Products"}),
        exclude=True,
        why="raw egg (Salmonella risk): suggest cooked eggs",
    ),
    DescriptionRule(
        _rx(r"^(?!.*\btofu\b).*\braw\b"),
        frozenset({"Legumes and Legume Products"}),
        exclude=True,
        why="raw dry beans contain lectins and are not eaten raw",
    ),
    DescriptionRule(
        _rx(r"^(?!.*\bcooked\b)"),
        frozenset({"Cereal Grains and Pasta"}),
        exclude=True,
        why="grains/pasta/flour are listed dry; only cooked entries are edible portions",
    ),
    DescriptionRule(
        _rx(
            r"\b(powder|powdered|dehydrated|freeze-dried|dry mix|unprepared|frozen concentrate|"
            r"not reconstituted|condensed|concentrate|meal kit|infant|formula|"
            r"substitute|imitation|industrial|shortening)\b|,\s*dry\b|\bdry,|^[^,]*\bflour\b"
        ),
        None,
        exclude=True,
        why="needs preparation, is an ingredient or a concentrate: not eaten as listed",
    ),
    DescriptionRule(
        _rx(r"\bdried\b"),
        frozenset(GROUP_PROFILES) - {"Fruits and Fruit Juices"},
        exclude=True,
        why="dried meat/vegetables/legumes are ingredients (dried fruit is eaten as is)",
    ),
    DescriptionRule(
        _rx(
            r"\b(candy|candies|fudge|cookies?|cheesecake|cakes?|pies?|doughnuts?|ice creams?|"
            r"frozen yogurts?|milk ?shakes?|puddings?|brownies?|frosting|icing|syrup|"
            r"marshmallows?|creme|frosted|toaster pastr\w+|danish|croissants?|sweet rolls?)\b"
        ),
        None,
        exclude=True,
        why="desserts and sweets are discretionary: a plan does not prescribe them",
    ),
    DescriptionRule(
        _rx(r"\b(sauce|gravy|dip|spread|lemon juice|lime juice|vinegar|pickles?|relish)\b"),
        frozenset(GROUP_PROFILES) - {"Fats and Oils"},
        exclude=True,
        why="sauces, dips, sour juices and pickles are condiments, not meal items",
    ),
    DescriptionRule(
        _rx(
            r"^(?!(bread|rolls|bagels|english muffins|muffins|tortillas|pita|crackers|"
            r"rice cakes|pancakes|waffles|french toast|biscuits)\b)"
        ),
        frozenset({"Baked Products"}),
        exclude=True,
        why="of the bakery group only breads, crackers and breakfast starches are suggested",
    ),
    DescriptionRule(
        _rx(r"\b(diet|low calorie|sugar-free|zero|nutritional drink|supplement)\b"),
        frozenset({"Beverages"}),
        exclude=True,
        why="calorie-free drinks add nothing to a plan; supplements are not foods",
    ),
    DescriptionRule(
        _rx(r"\b(alcoholic|beer|wine|liqueur|distilled|vodka|whiskey|rum|gin)\b"),
        frozenset({"Beverages"}),
        exclude=True,
        why="a nutrition plan does not prescribe alcohol",
    ),
    DescriptionRule(
        _rx(r"\bwater\b(?!.*\b(coconut|flavored)\b)|\bice\b|\bcarbonated\b|energy drink"),
        frozenset({"Beverages"}),
        exclude=True,
        why="water adds nothing to the plan; sodas/energy drinks are discretionary",
    ),
    DescriptionRule(
        _rx(r"^(sauce|gravy|dip|salsa)|\b(sauce|gravy|seasoning)\b(?!.*\bsoup\b)"),
        frozenset({"Soups, Sauces, and Gravies"}),
        exclude=True,
        why="sauces and gravies are condiments, not a course",
    ),
    DescriptionRule(
        _rx(r"^(fat,|lard|tallow|suet|fish oil|oil, (?!olive|canola|sunflower|peanut|sesame))"),
        frozenset({"Fats and Oils"}),
        exclude=True,
        why="animal fats, fish oil supplements and niche/industrial oils are not suggested",
    ),
    DescriptionRule(
        _rx(r"^(?!butter|oil|margarine|mayonnaise|salad dressing)"),
        frozenset({"Fats and Oils"}),
        exclude=True,
        why="keep the fats a plan proposes to everyday ones",
    ),
    DescriptionRule(
        _rx(
            r"\b(liver|kidney|heart|brain|tongue|tripe|giblets|gizzard|spleen|lung|pancreas|"
            r"thymus|feet|ears|chitterlings|blood|variety meats)\b"
        ),
        _ANIMAL_GROUPS,
        exclude=True,
        why="organ meats are legitimate food but unusual as a default suggestion",
    ),
    # --- role/slot refinements ---
    DescriptionRule(
        _rx(r"^egg"),
        frozenset({"Dairy and Egg Products"}),
        role="protein",
        slots=frozenset({"breakfast", "lunch"}),
        why="cooked eggs are a breakfast/lunch protein",
    ),
    DescriptionRule(
        _rx(r"^(butter|cream\b|cream,)"),
        frozenset({"Dairy and Egg Products"}),
        role="fat",
        slots=frozenset({"breakfast", "lunch", "dinner"}),
        why="butter and cream act as the fat of a meal",
    ),
    DescriptionRule(
        _rx(r"^(salad dressing|mayonnaise)"),
        frozenset({"Fats and Oils"}),
        slots=_MAIN,
        why="dressings and mayonnaise go with lunch/dinner, not breakfast",
    ),
    DescriptionRule(
        _rx(r"^(milk|buttermilk|kefir)\b"),
        frozenset({"Dairy and Egg Products"}),
        role="drink",
        slots=_ANY,
        why="milk is drunk with any meal",
    ),
    DescriptionRule(
        _rx(r"^(cheese|cottage)"),
        frozenset({"Dairy and Egg Products"}),
        slots=frozenset({"breakfast", "lunch", "dinner", "snack"}),
        why="cheese fits any meal",
    ),
    DescriptionRule(
        _rx(r"^(bread|rolls|bagels|english muffins|tortillas|pita|crackers|rice cakes)"),
        frozenset({"Baked Products"}),
        role="starch",
        slots=frozenset({"breakfast", "lunch", "dinner"}),
        why="bread is the starch of a meal",
    ),
    DescriptionRule(
        _rx(r"^(pancakes|waffles|french toast)"),
        frozenset({"Baked Products"}),
        role="starch",
        slots=frozenset({"breakfast"}),
        why="breakfast starches",
    ),
    DescriptionRule(
        _rx(r"^(potato|sweet potato|yam|corn|cassava|plantain|taro)"),
        frozenset({"Vegetables and Vegetable Products"}),
        role="starch",
        slots=_MAIN,
        why="starchy vegetables take the starch place in a meal",
    ),
    DescriptionRule(
        _rx(r"^(peanut butter|peanuts)"),
        frozenset({"Legumes and Legume Products"}),
        role="fat",
        slots=frozenset({"breakfast", "snack"}),
        why="peanuts and peanut butter behave like nuts",
    ),
    DescriptionRule(
        _rx(r"^(soymilk|soy milk)|\bsoymilk\b"),
        frozenset({"Legumes and Legume Products"}),
        role="drink",
        slots=_ANY,
        why="soy drink replaces milk",
    ),
    DescriptionRule(
        _rx(r"\bjuice\b|\bnectar\b"),
        frozenset({"Fruits and Fruit Juices"}),
        role="drink",
        slots=frozenset({"breakfast", "lunch", "snack"}),
        why="juices are drinks",
    ),
    DescriptionRule(
        _rx(r"\b(ham|bacon)\b"),
        frozenset({"Pork Products"}),
        slots=frozenset({"breakfast", "lunch", "dinner"}),
        why="ham and bacon are usual at breakfast",
    ),
)


@dataclass(frozen=True, slots=True)
class Suitability:
    role: Role | None
    slots: frozenset[Slot]

    @property
    def suggestible(self) -> bool:
        return self.role is not None and bool(self.slots)


def classify(description: str, food_group: str) -> Suitability:
    """Role and meal slots of one food; `role=None` means never suggested."""
    profile = GROUP_PROFILES.get(food_group)
    if profile is None or profile.role is None:
        return Suitability(None, frozenset())
    role: Role = profile.role
    slots = profile.slots
    for rule in DESCRIPTION_RULES:
        if rule.groups is not None and food_group not in rule.groups:
            continue
        if not rule.pattern.search(description):
            continue
        if rule.exclude:
            return Suitability(None, frozenset())
        if rule.role is not None:
            role = rule.role
        if rule.slots is not None:
            slots = rule.slots
    return Suitability(role, slots)
