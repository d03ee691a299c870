/**
 * The operator panel: log in as staff on the shop's HTTP API, list the newest orders and
 * change their status (`PATCH /api/orders/{id}`), as the operator's own tools would.
 * The customer then hears about it from the bot, in their chat.
 */

import { requestJson } from "./api.js";

const STATUSES = ["pending", "paid", "shipped", "cancelled"];
const STAFF = ["operator", "admin"];
const byId = (id) => document.getElementById(id);

export function startOperatorPanel(apiUrl) {
  let token = null;
  const say = (text) => (byId("operator-status").textContent = text);

  async function logIn(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const session = await requestJson(`${apiUrl}/api/auth/login`, {
        method: "POST",
        body: { email: form.get("email"), password: form.get("password") },
      });
      if (!STAFF.includes(session.user.role)) {
        say(`${session.user.email} is a customer; log in as an operator or admin.`);
        return;
      }
      token = session.token;
      byId("login").hidden = true;
      byId("orders-panel").hidden = false;
      byId("operator-name").textContent = `${session.user.name} (${session.user.role})`;
      await showOrders();
    } catch (error) {
      say(`Login failed: ${error.message}`);
    }
  }

  async function showOrders() {
    try {
      const page = await requestJson(`${apiUrl}/api/admin/orders?limit=20`, { token });
      byId("orders").replaceChildren(...page.items.map(orderItem));
      if (!page.items.length) say("No orders yet.");
    } catch (error) {
      say(`Could not load the orders: ${error.message}`);
    }
  }

  function orderItem(order) {
    const item = document.createElement("li");
    const total = money(order.totalAmount, order.currency);
    const label = `#${order.number} · ${total} · ${order.status}`;
    const select = document.createElement("select");
    select.setAttribute("aria-label", `New status of order #${order.number}`);
    for (const status of STATUSES) {
      select.add(new Option(status, status, false, status === order.status));
    }
    const set = document.createElement("button");
    set.type = "button";
    set.textContent = "Set";
    set.setAttribute("aria-label", `Set the status of order #${order.number}`);
    set.addEventListener("click", () => changeStatus(order, select.value));
    item.append(`${label} `, select, " ", set);
    return item;
  }

  async function changeStatus(order, status) {
    try {
      await requestJson(`${apiUrl}/api/orders/${order.id}`, {
        method: "PATCH",
        token,
        body: { status },
      });
      say(`Order #${order.number} is now ${status}.`);
    } catch (error) {
      say(`Order #${order.number}: ${error.message}`);
    }
    await showOrders();
  }

  byId("operator").hidden = false;
  byId("login").addEventListener("submit", logIn);
  byId("refresh").addEventListener("click", showOrders);
}

function money(amount, currency) {
  const format = new Intl.NumberFormat("en", { style: "currency", currency });
  return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
}
