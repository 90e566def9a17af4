//! What a result counts in time: the years simulated and, with model v2's continuation value,
//! the years after them. The headline difference between policies can turn on the horizon
//! (open weights keep acting after the last step), so every place that shows a result in
//! words (the report, the app's Learn tab) says which horizon it used, in the same sentence.

use crate::fmt;
use crate::model::{Dist, P, Scenario};

use super::summary::PolicySummary;

/// One or two sentences on the horizon; `reference`, when given, adds how much of its mean
/// benefit and harm the continuation makes up.
pub fn horizon_text(scenario: &Scenario, reference: Option<&PolicySummary>) -> String {
    let years = scenario.run().years;
    let plural = |n: f64| if n == 1.0 { "" } else { "s" };
    let continuation = &scenario.world()[P::continuation_years as usize];
    let mut text = match *continuation {
        Dist::Fixed(0.0) => format!(
            "Benefits and harms are counted over the {years} year{} simulated, discounted, and nothing after: \
             there is no continuation value (continuation_years = 0), although weights released by then keep \
             acting. A longer horizon can change which policy comes out ahead.",
            plural(f64::from(years))
        ),
        Dist::Fixed(l) => format!(
            "Benefits and harms are counted over the {years} year{} simulated plus a continuation of {} year{} \
             after them: the end state's benefit flow and expected harm flow carried on, discounted.",
            plural(f64::from(years)),
            fmt::years(l),
            plural(l)
        ),
        ref d => format!(
            "Benefits and harms are counted over the {years} year{} simulated plus a continuation of uncertain \
             length after them ({} to {} years in 90% of worlds, median {}): the end state's benefit flow and \
             expected harm flow carried on, discounted.",
            plural(f64::from(years)),
            fmt::years(d.quantile(0.05)),
            fmt::years(d.quantile(0.95)),
            fmt::years(d.quantile(0.5))
        ),
    };
    if let Some(c) = reference.and_then(|p| p.continuation.map(|c| (p, c))) {
        let (p, c) = c;
        let share = |part: f64, whole: f64| if whole > 0.0 { fmt::percent(part / whole) } else { "-".to_string() };
        text.push_str(&format!(
            " Under \"{}\" the continuation is {} of mean benefit and {} of mean harm.",
            p.name,
            share(c.benefit_mean, p.benefit.mean),
            share(c.harm_mean, p.harm.mean)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::{ContinuationSummary, Moments};

    fn with_continuation(d: Dist) -> Scenario {
        Scenario::built_in().edited(|s| s.world[P::continuation_years as usize] = d).unwrap()
    }

    #[test]
    fn says_when_nothing_after_the_horizon_counts() {
        let s = with_continuation(Dist::Fixed(0.0));
        let t = horizon_text(&s, None);
        assert!(t.contains(&format!("{} years simulated", s.run().years)), "{t}");
        assert!(t.contains("no continuation value"), "{t}");
    }

    #[test]
    fn names_a_fixed_or_uncertain_continuation_and_its_share() {
        let t = horizon_text(&with_continuation(Dist::Fixed(20.0)), None);
        assert!(t.contains("continuation of 20 years"), "{t}");
        let t = horizon_text(&with_continuation(Dist::Uniform { min: 0.0, max: 40.0 }), None);
        assert!(t.contains("2 to 38 years in 90% of worlds, median 20"), "{t}");
        let p = PolicySummary {
            name: "Status quo".into(),
            benefit: Moments { mean: 100.0, ..Moments::default() },
            harm: Moments { mean: 10.0, ..Moments::default() },
            continuation: Some(ContinuationSummary {
                benefit_mean: 25.0,
                benefit_se: 1.0,
                harm_mean: 5.0,
                harm_se: 1.0,
            }),
            ..PolicySummary::default()
        };
        let t = horizon_text(&with_continuation(Dist::Fixed(20.0)), Some(&p));
        assert!(
            t.contains("Under \"Status quo\" the continuation is 25% of mean benefit and 50% of mean harm."),
            "{t}"
        );
    }
}
