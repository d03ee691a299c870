"""Input of the reports: the orders export takes the staff listing's filters
(``core.sales.commands.OrderFilter``), so both select the same orders; the dashboard and
the other exports take none."""
