//! Money display. Amounts are integer micro-units of the deployment's currency
//! (1 USD = 1,000,000); formatting is integer arithmetic only, never floating point.

/// Micro-units in one whole currency unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// Micro-units as a plain decimal with at least two and at most six decimals, keeping every
/// significant digit: `3_000_000` → `3.00`, `1_250` → `0.00125`, `-500_000` → `-0.50`.
pub fn decimal_micros(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}", unsigned_decimal(amount.unsigned_abs()))
}

fn unsigned_decimal(magnitude: u64) -> String {
    let per_unit = MICROS_PER_UNIT.unsigned_abs();
    let whole = magnitude / per_unit;
    let mut fraction = format!("{:06}", magnitude % per_unit);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{whole}.{fraction}")
}

/// Formats micro-units as a currency amount (see [`decimal_micros`]): `-500_000` → `-$0.50`.
pub fn format_micros(amount: i64, currency: &str) -> String {
    let digits = unsigned_decimal(amount.unsigned_abs());
    let sign = if amount < 0 { "-" } else { "" };
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        _ => "",
    };
    if symbol.is_empty() {
        format!("{sign}{digits} {currency}")
    } else {
        format!("{sign}{symbol}{digits}")
    }
}

pub fn parse_amount(text: &str) -> Result<i64, String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    let (negative, unsigned) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let unsigned = unsigned.strip_prefix('$').unwrap_or(unsigned);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let invalid = || format!("{text:?} is not an amount such as 12.50");
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    if fraction.len() > 6 {
        return Err(format!("{text:?} has more than six decimals"));
    }
    if whole.len() > 12 {
        return Err(format!("{text:?} is too large"));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| invalid())?;
    let micros = whole * MICROS_PER_UNIT + fraction;
    Ok(if negative { -micros } else { micros })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_parse_exactly() {
        assert_eq!(parse_amount("12"), Ok(12_000_000));
        assert_eq!(parse_amount("$1,234.5"), Ok(1_234_500_000));
        assert_eq!(parse_amount("0.000125"), Ok(125));
        assert_eq!(parse_amount(".5"), Ok(500_000));
        assert_eq!(parse_amount("-3.20"), Ok(-3_200_000));
        assert_eq!(parse_amount("0.1"), Ok(100_000), "no binary rounding");
        for bad in [
            "",
            "abc",
            "1.2.3",
            "1.0000001",
            "1e5",
            "9999999999999",
            "-",
            "$",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

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
        assert_eq!(decimal_micros(-500_000), "-0.50");
        assert_eq!(decimal_micros(i64::MIN), "-9223372036854.775808");
        assert_eq!(format_micros(-500_000, "USD"), "-$0.50");
        assert_eq!(format_micros(i64::MIN, "USD"), "-$9223372036854.775808");
    }

    #[test]
    fn unknown_currencies_are_suffixed_with_their_code() {
        assert_eq!(format_micros(2_500_000, "ZAR"), "2.50 ZAR");
    }
}
