"""The back office: staff's pages in the browser, served by the API process under
``/admin/`` (how to add a page: docs/back-office.md)."""
