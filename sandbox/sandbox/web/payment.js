/**
 * The payment form Telegram shows when a user presses an invoice's Pay button: a fake card
 * (for Telegram Stars only a confirmation) plus the order information the invoice asks for.
 * Paying is `POST /sandbox/users/{id}/pay`, which answers once the bot answered its
 * pre-checkout query (or the time limit passed): then the form closes, or shows the bot's
 * reason for refusing.
 */

import { requestJson } from "./api.js";

const byId = (id) => document.getElementById(id);
let paying = null; // { userId, chatId, message, onPaid }

/** An amount in minor units as Telegram shows it: "⭐50", "€15.50", "¥500". */
export function money(amount, currency) {
  if (currency === "XTR") return `⭐${amount}`;
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
  return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
}

/** Open the form for the invoice `message`; `onPaid(text)` runs after a successful payment. */
export function openPaymentForm(userId, chatId, message, onPaid) {
  const { invoice } = message;
  const stars = invoice.currency === "XTR";
  const needs = new Set(message.invoice_needs ?? []);
  paying = { userId, chatId, message, onPaid };
  byId("payment-title").textContent = invoice.title;
  byId("payment-summary").textContent = `${invoice.description} · ${money(
    invoice.total_amount,
    invoice.currency,
  )}`;
  byId("card-fields").hidden = stars;
  byId("card-fields").disabled = stars;
  byId("order-fields").hidden = needs.size === 0;
  for (const field of byId("order-fields").querySelectorAll("[data-need]")) {
    field.hidden = !needs.has(field.dataset.need);
  }
  byId("payment-result").textContent = "";
  byId("payment-submit").textContent = `Pay ${money(invoice.total_amount, invoice.currency)}`;
  byId("payment-submit").disabled = false;
  byId("payment").showModal();
}

function orderInfo(form) {
  const info = {};
  for (const field of byId("order-fields").querySelectorAll("[data-need]")) {
    if (field.hidden) continue;
    const need = field.dataset.need;
    if (need === "shipping_address") {
      info.shipping_address = {
        country_code: form.get("country_code"),
        state: "",
        city: form.get("city"),
        street_line1: form.get("street_line1"),
        street_line2: "",
        post_code: form.get("post_code"),
      };
    } else {
      info[need] = form.get(need);
    }
  }
  return Object.keys(info).length ? info : undefined;
}

async function pay(event) {
  event.preventDefault();
  if (!paying) return;
  const { userId, chatId, message, onPaid } = paying;
  const result = byId("payment-result");
  byId("payment-submit").disabled = true;
  result.textContent = "Waiting for the bot to confirm the order…";
  try {
    const outcome = await requestJson(`/sandbox/users/${userId}/pay`, {
      method: "POST",
      body: {
        message_id: message.message_id,
        chat_id: chatId === userId ? undefined : chatId,
        order_info: orderInfo(new FormData(event.target)),
      },
    });
    if (outcome.ok) {
      byId("payment").close();
      paying = null;
      onPaid(`Paid ${money(message.invoice.total_amount, message.invoice.currency)}`);
      return;
    }
    result.textContent = outcome.timed_out
      ? "The bot did not confirm the order in time. Nothing was charged."
      : outcome.error_message;
  } catch (error) {
    result.textContent = error.message;
  }
  byId("payment-submit").disabled = false;
}

export function setUpPaymentForm() {
  byId("payment-form").addEventListener("submit", pay);
  byId("payment-cancel").addEventListener("click", () => {
    paying = null;
    byId("payment").close();
  });
}
