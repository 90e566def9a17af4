//! Every number Tierlab shows people, formatted in one place: the command line's tables, the
//! report, the figures and the app read the same value the same way. Machine-readable files
//! (CSV, JSON) do not come here: they hold the shortest text that reads back exactly (ryu,
//! `export::rows` and `export::json`).
//!
//! Money is in $B (2025) unless a function says otherwise. Every function writes "n/a" for
//! NaN and infinities, and never "-0": a negative number that rounds to zero is shown as zero.

/// A number with a sensible number of digits: 36234.2 -> "36234", 12.345 -> "12.3",
/// 0.1234 -> "0.123"; scientific from 1e15 (only absurd inputs get there). The command
/// line's tables.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let a = x.abs();
    let s = if a >= 1e15 {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    unsigned_zero(s)
}

/// [`number`] with thousands separators: 36234.2 -> "36,234" (the report).
pub fn grouped(x: f64) -> String {
    group_thousands(&number(x))
}

/// A count with thousands separators: 10000 -> "10,000".
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A mean and its standard error: "36648 ± 418" (the command line's tables).
pub fn plus_minus(mean: f64, se: f64) -> String {
    format!("{} ± {}", number(mean), number(se))
}

/// [`plus_minus`] with thousands separators: "36,648 ± 418" (the report's tables).
pub fn plus_minus_grouped(mean: f64, se: f64) -> String {
    format!("{} ± {}", grouped(mean), grouped(se))
}

/// Money with its unit, for sentences: 25641.3 -> "25,641 $B".
pub fn money(x: f64) -> String {
    format!("{} $B", grouped(x))
}

/// A mean and its standard error in money, for sentences: "33,607 ± 933 $B".
pub fn money_plus_minus(mean: f64, se: f64) -> String {
    format!("{} $B", plus_minus_grouped(mean, se))
}

/// Money at a glance, scaled to millions, billions or trillions with at most three
/// significant digits: 44_930 -> "$44.9T", 950 -> "$950B", 0.5 -> "$500M", -5000 ->
/// "-$5T", 0 -> "$0" (axis labels, legends, the app).
pub fn money_compact(x_billion: f64) -> String {
    if !x_billion.is_finite() {
        return NA.into();
    }
    let a = x_billion.abs();
    let (digits, unit) = if a >= 1000.0 {
        (three_digits(a / 1000.0), "T")
    } else if a >= 1.0 {
        (three_digits(a), "B")
    } else {
        (three_digits(a * 1000.0), "M")
    };
    // Zero needs no scale, and no sign.
    if digits == "0" {
        return "$0".into();
    }
    let sign = if x_billion < 0.0 { "-" } else { "" };
    format!("{sign}${digits}{unit}")
}

/// [`money_compact`] of a mean and its standard error: "$36.2T ± $920B".
pub fn money_compact_plus_minus(mean: f64, se: f64) -> String {
    format!("{} ± {}", money_compact(mean), money_compact(se.abs()))
}

/// Money at a whole decade given in log10 $B (the ticks of a log axis): 3 -> "$1T",
/// -1 -> "$100M".
pub fn money_decade(log10_billion: f64) -> String {
    if !log10_billion.is_finite() {
        return NA.into();
    }
    money_compact(10f64.powi(log10_billion.round() as i32))
}

/// An amount of $B in a sentence, the unit written by the caller: whole billions from 10 up
/// ("1234"), two decimals below ("5.25"); no separators.
pub fn billions(x: f64) -> String {
    if !x.is_finite() {
        NA.into()
    } else if x.abs() >= 10.0 {
        unsigned_zero(format!("{x:.0}"))
    } else {
        unsigned_zero(format!("{x:.2}"))
    }
}

/// A grid or threshold value in a sentence or a label: up to three decimals, trailing zeros
/// dropped (27.1666 -> "27.167").
pub fn grid(x: f64) -> String {
    trimmed(x, 3)
}

/// A grid value in a table column or on an axis, where it must name its grid point: up to
/// four decimals, trailing zeros dropped (27.16666 -> "27.1667").
pub fn grid_column(x: f64) -> String {
    trimmed(x, 4)
}

/// `x` with at most `decimals` decimals, trailing zeros dropped: trimmed(2.50, 2) -> "2.5",
/// trimmed(100.0, 0) -> "100". The building block of [`grid`] and [`grid_column`].
pub fn trimmed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    unsigned_zero(trim_zeros(format!("{x:.decimals$}")))
}

/// A number to four significant digits, trailing zeros dropped: 26.9718 -> "26.97",
/// 1586.09 -> "1586", 0.00713 -> "0.00713" (percentiles of a parameter in the report).
pub fn sig4(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (3 - x.abs().log10().floor() as i32).clamp(0, 10) as usize;
    unsigned_zero(trim_zeros(format!("{x:.decimals$}")))
}

/// An axis tick: up to three significant digits, plain notation (0.0250 -> "0.025",
/// 27.5 -> "27.5", 12345 -> "12345").
pub fn tick(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    unsigned_zero(trim_zeros(format!("{x:.decimals$}")))
}

/// A bound as read in a rule: three significant digits, plain notation from 0.001 to below
/// 1,000,000, scientific beyond (27.345 -> "27.3", 1234.6 -> "1235", 2.5e-5 -> "2.50e-5").
pub fn bound(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-3..6).contains(&magnitude) {
        return format!("{x:.2e}");
    }
    let decimals = (2 - magnitude).max(0) as usize;
    unsigned_zero(trim_zeros(format!("{x:.decimals$}")))
}

/// A correlation or a shift with its sign and three decimals: "+0.412", "-0.031".
pub fn signed(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let s = format!("{x:+.3}");
    if has_nonzero_digit(&s) { s } else { s.replacen('-', "+", 1) }
}

/// A share as a whole percentage: 0.823 -> "82%" (halves to even, as Rust rounds: 0.825 ->
/// "82%").
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return NA.into();
    }
    format!("{}%", unsigned_zero(format!("{:.0}", 100.0 * share)))
}

/// A probability as a percentage with digits enough for small ones: 0.5 -> "50%", 0.025 ->
/// "2.5%", 0.0012 -> "0.12%", 0.00001 -> "1.0e-3%".
pub fn probability_percent(p: f64) -> String {
    let x = p * 100.0;
    if !x.is_finite() {
        NA.into()
    } else if x == 0.0 || x.abs() >= 10.0 || (x.abs() >= 1.0 && x.fract().abs() < 1e-9) {
        format!("{}%", unsigned_zero(format!("{x:.0}")))
    } else if x.abs() >= 1.0 {
        format!("{x:.1}%")
    } else {
        let s = format!("{x:.2}");
        if has_nonzero_digit(&s) { format!("{s}%") } else { format!("{x:.1e}%") }
    }
}

/// A probability with four decimals: "0.1934".
pub fn probability(p: f64) -> String {
    if !p.is_finite() {
        return NA.into();
    }
    unsigned_zero(format!("{p:.4}"))
}

/// A share or probability on an axis or in a legend: at most two decimals, trailing zeros
/// dropped (0.25 -> "0.25", 0.5 -> "0.5", 1 -> "1").
pub fn fraction(x: f64) -> String {
    trimmed(x, 2)
}

/// Below this a p-value is shown as "< 1e-10": the binomial tail is not worth more digits.
pub const P_VALUE_FLOOR: f64 = 1e-10;

/// A p-value in a table: "3.45e-5", or "< 1e-10" below [`P_VALUE_FLOOR`].
pub fn p_value(p: f64) -> String {
    p_value_with(p, 2)
}

/// A p-value in a figure's label, one digit shorter: "3.5e-5", or "< 1e-10".
pub fn p_value_short(p: f64) -> String {
    p_value_with(p, 1)
}

fn p_value_with(p: f64, decimals: usize) -> String {
    if !p.is_finite() {
        NA.into()
    } else if p < P_VALUE_FLOOR {
        "< 1e-10".into()
    } else {
        format!("{p:.decimals$e}")
    }
}

/// Training compute from its log10: 27 -> "1e27", 27.5 -> "3.2e27".
pub fn flop(log10_flop: f64) -> String {
    if !log10_flop.is_finite() {
        return NA.into();
    }
    let e = log10_flop.floor();
    let m = 10f64.powf(log10_flop - e);
    // Just below a decade the mantissa rounds to 10: that is the next decade.
    if m >= 9.95 {
        format!("1e{:.0}", e + 1.0)
    } else if (m - 1.0).abs() < 0.005 {
        format!("1e{e:.0}")
    } else {
        format!("{m:.1}e{e:.0}")
    }
}

/// Training compute at a whole decade, with a superscript exponent: 27 -> "10²⁷".
pub fn flop_power(log10_flop: f64) -> String {
    if !log10_flop.is_finite() {
        return NA.into();
    }
    format!("10{}", superscript(log10_flop.round() as i32))
}

/// A capability tick: [`flop_power`] at whole decades ("10²⁷"), [`flop`] between ("3.2e26").
pub fn flop_tick(log10_flop: f64) -> String {
    if (log10_flop - log10_flop.round()).abs() < 1e-9 { flop_power(log10_flop) } else { flop(log10_flop) }
}

/// A power of ten given by its log10, for log axes: -3 -> "10⁻³", 0 -> "1", 1 -> "10".
pub fn power_of_ten(log10: f64) -> String {
    if !log10.is_finite() {
        return NA.into();
    }
    match log10.round() as i32 {
        0 => "1".into(),
        1 => "10".into(),
        k => format!("10{}", superscript(k)),
    }
}

/// Years on a time axis: whole years bare ("5"), others with one decimal ("2.5").
pub fn years(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let s = if (x - x.round()).abs() < 1e-9 { format!("{}", x.round()) } else { format!("{x:.1}") };
    unsigned_zero(s)
}

const NA: &str = "n/a";

/// `k` in superscript digits: -3 -> "⁻³".
fn superscript(k: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if k < 0 {
        s.push('⁻');
    }
    for c in k.unsigned_abs().to_string().chars() {
        s.push(DIGITS[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// Three significant digits of a positive number, for [`money_compact`]: 44.93 -> "44.9".
fn three_digits(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    trim_zeros(s)
}

/// Drops trailing zeros after a decimal point, and the point if nothing follows it.
fn trim_zeros(s: String) -> String {
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn has_nonzero_digit(s: &str) -> bool {
    s.bytes().take_while(|&b| b != b'e').any(|b| (b'1'..=b'9').contains(&b))
}

/// "-0", "-0.000": a negative number rounded to zero, shown without its sign.
fn unsigned_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if !has_nonzero_digit(rest) => rest.to_string(),
        _ => s,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;
    const INF: f64 = f64::INFINITY;

    /// Every one-number function: non-finite input is "n/a".
    const ALL: [fn(f64) -> String; 25] = [
        number,
        grouped,
        money,
        money_compact,
        money_decade,
        billions,
        grid,
        grid_column,
        sig4,
        tick,
        bound,
        signed,
        percent,
        probability_percent,
        probability,
        fraction,
        p_value,
        p_value_short,
        flop,
        flop_power,
        flop_tick,
        power_of_ten,
        years,
        |x| plus_minus(x, 1.0),
        |x| money_compact_plus_minus(x, 1.0),
    ];

    #[test]
    fn not_finite_is_na_everywhere() {
        for f in ALL {
            for x in [NAN, INF, -INF] {
                let s = f(x);
                assert!(s.contains("n/a"), "{x} -> {s}");
            }
        }
        assert_eq!(money(NAN), "n/a $B");
        assert_eq!(plus_minus(1.0, NAN), "1.00 ± n/a");
    }

    #[test]
    fn no_function_writes_minus_zero() {
        for f in ALL {
            for x in [-0.0, -1e-300, -1e-12, -0.000_01] {
                let s = f(x);
                for word in s.split(' ').filter(|w| w.starts_with('-')) {
                    assert!(has_nonzero_digit(word), "{x} -> {s}");
                }
            }
        }
    }

    #[test]
    fn number_picks_digits_by_size() {
        assert_eq!(number(36234.2), "36234");
        assert_eq!(number(-36234.7), "-36235");
        assert_eq!(number(100.0), "100");
        assert_eq!(number(99.96), "100.0");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(1.0), "1.00");
        assert_eq!(number(0.1234), "0.123");
        assert_eq!(number(0.0), "0.000");
        assert_eq!(number(-0.0), "0.000");
        assert_eq!(number(-0.0004), "0.000");
        assert_eq!(number(-0.0005), "-0.001");
        assert_eq!(number(1e-300), "0.000");
        assert_eq!(number(2.5e15), "2.500e15");
        assert_eq!(number(-2.5e15), "-2.500e15");
        assert_eq!(number(f64::MAX), "1.798e308");
        assert_eq!(number(NAN), "n/a");
    }

    #[test]
    fn grouping_thousands() {
        assert_eq!(grouped(36234.2), "36,234");
        assert_eq!(grouped(-1234567.0), "-1,234,567");
        assert_eq!(grouped(4321.0), "4,321");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(-999.0), "-999");
        assert_eq!(grouped(0.1234), "0.123");
        assert_eq!(grouped(2.5e15), "2.500e15");
        assert_eq!(grouped(INF), "n/a");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn plus_minus_pairs() {
        assert_eq!(plus_minus(36648.0, 418.2), "36648 ± 418");
        assert_eq!(plus_minus(-0.0, 0.0), "0.000 ± 0.000");
        assert_eq!(plus_minus_grouped(36648.0, 1418.2), "36,648 ± 1,418");
        assert_eq!(money(25641.3), "25,641 $B");
        assert_eq!(money(-12.34), "-12.3 $B");
        assert_eq!(money_plus_minus(33607.0, 933.0), "33,607 ± 933 $B");
    }

    #[test]
    fn compact_money_scales() {
        assert_eq!(money_compact(44_930.0), "$44.9T");
        assert_eq!(money_compact(12_000.0), "$12T");
        assert_eq!(money_compact(950.0), "$950B");
        assert_eq!(money_compact(12.5), "$12.5B");
        assert_eq!(money_compact(1.0), "$1B");
        assert_eq!(money_compact(0.5), "$500M");
        assert_eq!(money_compact(0.0125), "$12.5M");
        assert_eq!(money_compact(-5000.0), "-$5T");
        assert_eq!(money_compact(-0.25), "-$250M");
        assert_eq!(money_compact(0.0), "$0");
        assert_eq!(money_compact(-0.0), "$0");
        assert_eq!(money_compact(1e-9), "$0");
        assert_eq!(money_compact(-1e-9), "$0");
        assert_eq!(money_compact(999.6), "$1000B");
        assert_eq!(money_compact(1e12), "$1000000000T");
        assert_eq!(money_compact(NAN), "n/a");
        assert_eq!(money_compact_plus_minus(36_200.0, 920.0), "$36.2T ± $920B");
        assert_eq!(money_compact_plus_minus(-5.0, -0.5), "-$5B ± $500M");
        assert_eq!(money_decade(3.0), "$1T");
        assert_eq!(money_decade(2.9999), "$1T");
        assert_eq!(money_decade(0.0), "$1B");
        assert_eq!(money_decade(-1.0), "$100M");
        assert_eq!(billions(1234.6), "1235");
        assert_eq!(billions(12.4), "12");
        assert_eq!(billions(5.254), "5.25");
        assert_eq!(billions(-0.001), "0.00");
    }

    #[test]
    fn grid_values_and_trimming() {
        assert_eq!(grid(27.1666), "27.167");
        assert_eq!(grid(27.0), "27");
        assert_eq!(grid(-0.0001), "0");
        assert_eq!(grid(-0.25), "-0.25");
        assert_eq!(grid_column(27.166_666), "27.1667");
        assert_eq!(grid_column(25.5), "25.5");
        assert_eq!(grid_column(1e-9), "0");
        assert_eq!(trimmed(100.0, 0), "100");
        assert_eq!(trimmed(2.5, 2), "2.5");
        assert_eq!(trimmed(1e20, 1), "100000000000000000000");
        assert_eq!(trimmed(NAN, 3), "n/a");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig4(26.9718), "26.97");
        assert_eq!(sig4(1586.09), "1586");
        assert_eq!(sig4(0.00713), "0.00713");
        assert_eq!(sig4(0.0), "0");
        assert_eq!(sig4(-0.0), "0");
        assert_eq!(sig4(1e-12), "0");
        assert_eq!(sig4(-1e-12), "0");
        assert_eq!(sig4(1.5e20), "150000000000000000000");
        assert_eq!(tick(0.025), "0.025");
        assert_eq!(tick(27.5), "27.5");
        assert_eq!(tick(12345.0), "12345");
        assert_eq!(tick(0.0002), "0.0002");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(1e-12), "0");
        assert_eq!(bound(27.345), "27.3");
        assert_eq!(bound(1.4), "1.4");
        assert_eq!(bound(0.0312), "0.0312");
        assert_eq!(bound(1234.6), "1235");
        assert_eq!(bound(0.0), "0");
        assert_eq!(bound(-0.0), "0");
        assert_eq!(bound(-250.0), "-250");
        assert_eq!(bound(2.5e-5), "2.50e-5");
        assert_eq!(bound(1.5e6), "1.50e6");
        assert_eq!(bound(f64::MIN_POSITIVE), "2.23e-308");
    }

    #[test]
    fn signs_and_shares() {
        assert_eq!(signed(0.41234), "+0.412");
        assert_eq!(signed(-0.031), "-0.031");
        assert_eq!(signed(0.0), "+0.000");
        assert_eq!(signed(-0.0), "+0.000");
        assert_eq!(signed(-0.0001), "+0.000");
        assert_eq!(signed(1e6), "+1000000.000");
        assert_eq!(percent(0.823), "82%");
        assert_eq!(percent(0.825), "82%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(-0.001), "0%");
        assert_eq!(percent(12.0), "1200%");
        assert_eq!(probability_percent(0.5), "50%");
        assert_eq!(probability_percent(0.025), "2.5%");
        assert_eq!(probability_percent(0.01), "1%");
        assert_eq!(probability_percent(0.0012), "0.12%");
        assert_eq!(probability_percent(0.000_01), "1.0e-3%");
        assert_eq!(probability_percent(0.0), "0%");
        assert_eq!(probability(0.19341), "0.1934");
        assert_eq!(probability(1.0), "1.0000");
        assert_eq!(probability(-0.0), "0.0000");
        assert_eq!(fraction(0.25), "0.25");
        assert_eq!(fraction(0.5), "0.5");
        assert_eq!(fraction(1.0), "1");
        assert_eq!(fraction(0.333), "0.33");
    }

    #[test]
    fn p_values_floor_at_1e_minus_10() {
        assert_eq!(p_value(3.4512e-5), "3.45e-5");
        assert_eq!(p_value(0.5), "5.00e-1");
        assert_eq!(p_value(1.0), "1.00e0");
        assert_eq!(p_value(1e-10), "1.00e-10");
        assert_eq!(p_value(9.99e-11), "< 1e-10");
        assert_eq!(p_value(0.0), "< 1e-10");
        assert_eq!(p_value(5e-324), "< 1e-10");
        assert_eq!(p_value_short(3.4512e-5), "3.5e-5");
        assert_eq!(p_value_short(0.0), "< 1e-10");
    }

    #[test]
    fn capability_and_powers() {
        assert_eq!(flop(27.0), "1e27");
        assert_eq!(flop(27.5), "3.2e27");
        assert_eq!(flop(26.999), "1e27");
        assert_eq!(flop(26.999_999_999_999_996), "1e27");
        assert_eq!(flop(27.001), "1e27");
        assert_eq!(flop(-1.0), "1e-1");
        assert_eq!(flop_power(27.0), "10²⁷");
        assert_eq!(flop_power(26.6), "10²⁷");
        assert_eq!(flop_tick(27.0), "10²⁷");
        assert_eq!(flop_tick(26.5), "3.2e26");
        assert_eq!(power_of_ten(-3.0), "10⁻³");
        assert_eq!(power_of_ten(0.0), "1");
        assert_eq!(power_of_ten(-0.0), "1");
        assert_eq!(power_of_ten(1.0), "10");
        assert_eq!(power_of_ten(12.0), "10¹²");
        assert_eq!(years(5.0), "5");
        assert_eq!(years(2.5), "2.5");
        assert_eq!(years(-0.0), "0");
        assert_eq!(years(0.25), "0.2");
        assert_eq!(years(1e6), "1000000");
    }
}
