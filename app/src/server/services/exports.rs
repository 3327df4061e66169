//! CSV files people download (wallet history, redemption codes, usage).
//!
//! Quoting is the csv crate's. A cell a spreadsheet would run as a formula (one starting with
//! `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe, because memos and
//! names are typed by people and a file opened in a spreadsheet must not execute them. Plain
//! numbers, negative ones included, are left as they are.

use super::ServiceError;
use chrono::{DateTime, Utc};

/// A CSV document: a header row, then one row per record.
pub fn csv_document<I, R>(header: &[&str], rows: I) -> Result<String, ServiceError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.into_iter().map(|cell| defuse(&cell)))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ServiceError::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Internal(format!("writing CSV: {e}")))
}

/// Lines read per query while exporting, and the most one export holds.
pub const EXPORT_PAGE: u64 = 5_000;
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// Reads everything an export selects, newest first, [`EXPORT_PAGE`] rows per query, up to
/// [`MAX_EXPORT_ROWS`]: `fetch(before)` returns the page of rows older than the id `before`
/// (None: the newest), and `id` names a row's id.
pub async fn read_all<T, F, Fut>(
    mut fetch: F,
    id: impl Fn(&T) -> i64,
) -> Result<Vec<T>, ServiceError>
where
    F: FnMut(Option<i64>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, ServiceError>>,
{
    let mut rows: Vec<T> = Vec::new();
    let mut before = None;
    loop {
        let page = fetch(before).await?;
        let complete = (page.len() as u64) < EXPORT_PAGE;
        before = page.last().map(&id);
        rows.extend(page);
        if complete || rows.len() >= MAX_EXPORT_ROWS {
            break;
        }
    }
    rows.truncate(MAX_EXPORT_ROWS);
    Ok(rows)
}

/// A filter value as typed: trimmed, and None when empty.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A half-open time range, either end open.
pub type TimeRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `from`/`to` dates of an export or page filter (`YYYY-MM-DD`, UTC, both inclusive) as a
/// half-open time range.
pub fn date_range(from: Option<&str>, to: Option<&str>) -> Result<TimeRange, ServiceError> {
    let day = |value: &str, name: &str| {
        chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|start| start.and_utc())
            .ok_or_else(|| {
                ServiceError::Invalid(format!("'{name}' must be a date like 2026-01-31"))
            })
    };
    let since = from.map(|v| day(v, "from")).transpose()?;
    let until = to
        .map(|v| day(v, "to").map(|start| start + chrono::Duration::days(1)))
        .transpose()?;
    if let (Some(since), Some(until)) = (since, until) {
        if since >= until {
            return Err(ServiceError::Invalid(
                "'from' must not be after 'to'".to_owned(),
            ));
        }
    }
    Ok((since, until))
}

fn defuse(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let csv = csv_document(
            &["memo", "amount"],
            [
                vec!["Refund, order 7".to_owned(), "-2.50".to_owned()],
                vec!["=HYPERLINK(\"x\")".to_owned(), "1000000".to_owned()],
                vec!["say \"hi\"".to_owned(), "-".to_owned()],
            ],
        )
        .unwrap();
        assert_eq!(
            csv,
            "memo,amount\n\"Refund, order 7\",-2.50\n\"'=HYPERLINK(\"\"x\"\")\",1000000\n\
             \"say \"\"hi\"\"\",'-\n"
        );
    }
}
