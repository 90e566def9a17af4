//! Every number Tierlab shows people, formatted in one place: the command line's tables, the
//! report, the figures and the app read the same value the same way. (Machine-readable
//! files use the shortest text that reads back exactly, `export::csv`, not this.)
//!
//! Money is in $B (2025) unless a function says otherwise.

/// A number with a sensible number of digits: 36234.2 -> "36234", 12.345 -> "12.3",
/// 0.1234 -> "0.123"; "n/a" when not finite, scientific from 1e15 (only absurd inputs get
/// there).
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    if a >= 1e15 {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// [`number`] with thousands separators: 36234.2 -> "36,234".
pub fn grouped(x: f64) -> String {
    group_thousands(&number(x))
}

/// An integer with thousands separators: 10000 -> "10,000".
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A mean and its standard error: "36648 ± 418" (the command line's tables).
pub fn plus_minus(mean: f64, se: f64) -> String {
    format!("{} ± {}", number(mean), number(se))
}

/// [`plus_minus`] with thousands separators: "36,648 ± 418" (the report).
pub fn plus_minus_grouped(mean: f64, se: f64) -> String {
    format!("{} ± {}", grouped(mean), grouped(se))
}

/// A grid or threshold value: up to three decimals, trailing zeros dropped (27.1666 ->
/// "27.167").
pub fn value(x: f64) -> String {
    trimmed(x, 3)
}

/// `x` with at most `decimals` decimals, trailing zeros dropped, "-0" as "0"; "n/a" when not
/// finite.
pub fn trimmed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A number to four significant digits, trailing zeros dropped: 26.9718 -> "26.97",
/// 1586.09 -> "1586", 0.00713 -> "0.00713".
pub fn sig4(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (3 - x.abs().log10().floor() as i32).clamp(0, 10) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Training compute from its log10: 27 -> "1e27", 27.5 -> "3.2e27".
pub fn flop(log10_flop: f64) -> String {
    let e = log10_flop.floor();
    let m = 10f64.powf(log10_flop - e);
    if (m - 1.0).abs() < 0.005 { format!("1e{e:.0}") } else { format!("{m:.1}e{e:.0}") }
}

/// A probability with four decimals: "0.1934".
pub fn probability(p: f64) -> String {
    format!("{p:.4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(number(36234.2), "36234");
        assert_eq!(grouped(36234.2), "36,234");
        assert_eq!(grouped(-1234567.0), "-1,234,567");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(0.1234), "0.123");
        assert_eq!(number(f64::NAN), "n/a");
        assert_eq!(grouped(f64::INFINITY), "n/a");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(plus_minus(36648.0, 418.2), "36648 ± 418");
        assert_eq!(value(27.1666), "27.167");
        assert_eq!(value(-0.0001), "0");
        assert_eq!(sig4(26.9718), "26.97");
        assert_eq!(sig4(0.00713), "0.00713");
        assert_eq!(flop(27.0), "1e27");
        assert_eq!(flop(27.5), "3.2e27");
        assert_eq!(probability(0.19341), "0.1934");
    }
}
