//! Money display. Amounts are integer micro-units of the deployment's currency
//! (1 USD = 1,000,000); formatting is integer arithmetic only, never floating point.

/// Micro-units in one whole currency unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// Formats micro-units as a currency amount with at least two and at most six decimals, keeping
/// every significant digit: `3_000_000` → `$3.00`, `1_250` → `$0.00125`, `-500_000` → `-$0.50`.
pub fn format_micros(amount: i64, currency: &str) -> String {
    let negative = amount < 0;
    let magnitude = amount.unsigned_abs();
    let per_unit = MICROS_PER_UNIT.unsigned_abs();
    let whole = magnitude / per_unit;
    let mut fraction = format!("{:06}", magnitude % per_unit);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        _ => "",
    };
    let sign = if negative { "-" } else { "" };
    if symbol.is_empty() {
        format!("{sign}{whole}.{fraction} {currency}")
    } else {
        format!("{sign}{symbol}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_amounts_keep_two_decimals() {
        assert_eq!(format_micros(3_000_000, "USD"), "$3.00");
        assert_eq!(format_micros(0, "USD"), "$0.00");
    }

    #[test]
    fn sub_cent_prices_keep_every_significant_digit() {
        assert_eq!(format_micros(1_250, "USD"), "$0.00125");
        assert_eq!(format_micros(1, "USD"), "$0.000001");
        assert_eq!(format_micros(15_300_000, "USD"), "$15.30");
    }

    #[test]
    fn negative_and_extreme_amounts_do_not_overflow() {
        assert_eq!(format_micros(-500_000, "USD"), "-$0.50");
        assert_eq!(format_micros(i64::MIN, "USD"), "-$9223372036854.775808");
    }

    #[test]
    fn unknown_currencies_are_suffixed_with_their_code() {
        assert_eq!(format_micros(2_500_000, "ZAR"), "2.50 ZAR");
    }
}
