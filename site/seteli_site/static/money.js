/* Seteli public site: money in integer cents, and the own-share rule.
 *
 * The same rule as seteli.rules.comparison.unit_own_share (spec 12): the whole price when the
 * customer pays (customer_pays); nothing when the content has no own share (no_own_share); else
 * price - voucher value, never below zero; unknown (null) when no value is given.
 * Integer cents only: floats are never money. Usable in the browser (window.SeteliMoney) and in
 * Node (require), where the unit tests check it against the Python rule.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.SeteliMoney = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var NBSP = "\u00a0";

  /* What a person types: "32,50", "32.50", "32", "32,5", " 32,50 € ", "1 234,50" -> cents; else null. */
  function parseCents(text) {
    if (text === null || text === undefined) return null;
    var s = String(text).replace(/[\s\u00a0\u202f€]/g, "");
    var m = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(s);
    if (!m) return null;
    var cents = m[2] ? parseInt((m[2] + "0").slice(0, 2), 10) : 0;
    return parseInt(m[1], 10) * 100 + cents;
  }

  /* The open JSON's decimal strings ("31.40", "-2.00") -> cents; else null. */
  function decimalCents(text) {
    if (typeof text !== "string") return null;
    var m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
    if (!m) return null;
    var cents = parseInt(m[2], 10) * 100 + parseInt(m[3], 10);
    return m[1] ? -cents : cents;
  }

  /* The customer's own share of one unit (cents), or null when the voucher value is not known. */
  function ownShareCents(content, priceCents, valueCents) {
    if (priceCents === null || priceCents === undefined) return null;
    if (content.customer_pays) return priceCents;
    if (content.no_own_share) return 0;
    if (valueCents === null || valueCents === undefined) return null;
    var share = priceCents - valueCents;
    return share > 0 ? share : 0;
  }

  function group(digits, sep) {
    var out = "";
    while (digits.length > 3) {
      out = sep + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return digits + out;
  }

  /* fi/sv "1 234,50 €" (no-break spaces), en "€1,234.50". */
  function formatMoney(cents, lang) {
    var sign = cents < 0 ? "-" : "";
    var abs = Math.abs(cents);
    var euros = String(Math.floor(abs / 100));
    var rest = String(abs % 100);
    if (rest.length < 2) rest = "0" + rest;
    if (lang === "en") return sign + "€" + group(euros, ",") + "." + rest;
    return sign + group(euros, NBSP) + "," + rest + NBSP + "€";
  }

  /* A value as typed in the input: "32,00" (fi/sv), "32.00" (en). */
  function inputText(cents, lang) {
    var rest = String(cents % 100);
    if (rest.length < 2) rest = "0" + rest;
    return Math.floor(cents / 100) + (lang === "en" ? "." : ",") + rest;
  }

  return {
    parseCents: parseCents,
    decimalCents: decimalCents,
    ownShareCents: ownShareCents,
    formatMoney: formatMoney,
    inputText: inputText,
  };
});
