"""Why the shop does not erase a customer's data now."""

from __future__ import annotations

from collections.abc import Sequence

from core.base.errors import Conflict


class DeliveryOutstanding(Conflict):
    """Paid orders still to be delivered need the customer's delivery details."""

    code = "delivery-outstanding"

    def __init__(self, numbers: Sequence[int]) -> None:
        listed = ", ".join(f"#{number}" for number in numbers)
        super().__init__(
            f"Paid orders {listed} are still to be delivered, to the details they name; "
            "ask again once they are shipped (or cancelled and refunded)."
        )
        self.numbers = tuple(numbers)


class StaffAccount(Conflict):
    """Staff accounts are not erased: an admin makes them customers first."""

    code = "staff-account"

    def __init__(self) -> None:
        super().__init__(
            "This is a staff account: an admin changes its role to user first, then its data "
            "can be erased."
        )


class ErasureBusy(Conflict):
    """An order of the customer is being placed or cancelled right now."""

    code = "erasure-busy"

    def __init__(self) -> None:
        super().__init__(
            "An order of this customer is being placed or cancelled; try again in a minute."
        )
