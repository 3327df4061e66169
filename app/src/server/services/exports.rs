//! CSV files people download (wallet history, redemption codes, usage).
//!
//! Quoting is the csv crate's. A cell a spreadsheet would run as a formula (one starting with
//! `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe, because memos and
//! names are typed by people and a file opened in a spreadsheet must not execute them. Plain
//! numbers, negative ones included, are left as they are.

use super::ServiceError;

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
