"""Refusals about variants."""

from __future__ import annotations

from core.base.errors import Conflict


class ChooseVariant(Conflict):
    """The product comes in options: a cart takes one of its variants, not the product."""

    code = "choose-variant"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} comes in options: choose one.")
        self.name = name


class OptionsInUse(Conflict):
    """The new options leave a variant on sale with a value they no longer have."""

    code = "options-in-use"

    def __init__(self, variant: str) -> None:
        super().__init__(
            f"The variant {variant} uses a value these options drop: archive it first."
        )
        self.variant = variant


class VariantTaken(Conflict):
    """The product already has a variant with these values."""

    code = "variant-taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"The product already has the variant {name}.")


class OptionsMismatch(Conflict):
    """A new variant's values are not one of each of its product's options (as they are now:
    a valid request that the product's options refuse)."""

    code = "options-mismatch"

    def __init__(self, problem: str) -> None:
        super().__init__(f"The variant does not fit the product's options: {problem}.")


class TooManyVariants(Conflict):
    code = "too-many-variants"

    def __init__(self, most: int) -> None:
        super().__init__(f"A product has at most {most} variants.")
        self.most = most
