"""Reading a Prometheus endpoint in tests: its samples by name and labels, and the
endpoint of a shop served in this process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from core.shop import Shop
from runtime.metrics import MetricsSettings, serve_metrics
from tests.processes import free_port

Key = tuple[str, frozenset[tuple[str, str]]]


class Samples(dict[Key, float]):
    """One scrape: each sample's value by its name and labels."""

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 for one not served (a counter nothing has counted yet)."""
        return self.get((name, frozenset(labels.items())), 0.0)

    def names(self) -> set[str]:
        return {name for name, _ in self}

    def moved(self, before: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
        """How each of ``name``'s samples moved since ``before`` (the ones that did)."""
        return {
            labels: value - before.get((sample, labels), 0.0)
            for (sample, labels), value in self.items()
            if sample == name and value != before.get((sample, labels), 0.0)
        }


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


async def fetch(url: str, token: str | None = None) -> tuple[int, str]:
    """The status and text of a GET of ``url`` (with a bearer ``token``, if given)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as reply:
        return reply.status, await reply.text()


async def scrape(url: str, token: str | None = None) -> Samples:
    status, text = await fetch(url, token)
    assert status == 200, text
    return Samples(
        ((sample.name, frozenset(sample.labels.items())), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    )


@contextlib.asynccontextmanager
async def serving(shop: Shop, **settings: Any) -> AsyncIterator[str]:
    """``shop``'s metrics (with its figures unless ``metrics_shop_figures=False``) served on
    a free port in this process for the block; their URL."""
    values = {"metrics_port": free_port(), "metrics_shop_figures": True, **settings}
    if isinstance(token := values.get("metrics_token"), str):
        values["metrics_token"] = SecretStr(token)
    async with serve_metrics(shop, MetricsSettings(_env_file=None, **values)) as port:
        yield f"http://127.0.0.1:{port}/metrics"
