"""The reports benchmark compares the dashboard with and without its indexes: the ones it
drops must be indexes the shop declares (renaming one would otherwise break the bench)."""

from bench.reports import DASHBOARD_INDEXES
from core.shop import Shop


def test_the_reports_bench_drops_indexes_the_shop_declares(shop: Shop) -> None:
    declared = {m.document["name"] for _, models in shop.store.indexes() for m in models}
    assert set(DASHBOARD_INDEXES) <= declared
