//! Scenario discovery: under which assumptions does an outcome event happen?
//!
//! PRIM, Friedman and Fisher's patient rule induction method, over the sampled uncertain
//! inputs: starting from the box holding every world, it repeatedly peels off the `alpha`
//! share of the box's worlds at the low or high end of one input, choosing the peel that
//! leaves the highest share of event worlds (the box's density), until the box holds less
//! than `min_mass` of all worlds. Every box on the way is a point of the peeling trajectory:
//! the trade-off between coverage (the share of all event worlds inside the box) and density.
//! The user picks a box on it; pasting then widens the chosen box back along any edge where
//! that keeps its density, undoing peels that turned out too greedy.
//!
//! Each restriction of a box comes with a quasi-p-value, as EMA Workbench reports it: the
//! one-sided binomial probability of seeing at least the box's event count among its worlds
//! if the event rate were that of the box without this restriction. A large p-value says the
//! restriction adds little beyond the others.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};

use super::worlds::Worlds;
use crate::fmt;

/// Share of the box's worlds a peel or paste moves.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// Peeling stops before a box would hold less than this share of all worlds.
pub const DEFAULT_MIN_MASS: f64 = 0.05;

/// Why a discovery could not be made.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{0}")]
    Invalid(String),
}

/// The outcome event whose worlds are sought.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeEvent {
    /// The policy's net is below another policy's net in the same world.
    NetBelowPolicy { against: usize },
    /// The policy's net is below a level ($B).
    NetBelow { level: f64 },
    /// The policy's run has at least one catastrophe.
    Catastrophe,
    /// The policy's harm is above a level ($B).
    HarmAbove { level: f64 },
}

/// The event keys the command line and the app offer.
pub const EVENT_KEYS: [&str; 3] = ["net-below", "catastrophe", "harm-above"];

impl OutcomeEvent {
    /// The command-line key of the event.
    pub fn key(self) -> &'static str {
        match self {
            OutcomeEvent::NetBelowPolicy { .. } | OutcomeEvent::NetBelow { .. } => "net-below",
            OutcomeEvent::Catastrophe => "catastrophe",
            OutcomeEvent::HarmAbove { .. } => "harm-above",
        }
    }

    /// The event from its key and its options.
    ///
    /// # Errors
    /// An unknown key, or a missing or superfluous harm level or comparison policy.
    pub fn parse(key: &str, against: Option<usize>, level: Option<f64>) -> Result<OutcomeEvent, DiscoveryError> {
        let invalid = |m: &str| Err(DiscoveryError::Invalid(m.into()));
        if level.is_some_and(|t| !t.is_finite()) {
            return invalid("the level must be a finite number ($B)");
        }
        match (key, against, level) {
            ("net-below", Some(b), None) => Ok(OutcomeEvent::NetBelowPolicy { against: b }),
            ("net-below", None, Some(t)) => Ok(OutcomeEvent::NetBelow { level: t }),
            ("net-below", None, None) => {
                invalid("the event net-below needs either a policy to compare with (--against) or a level (--level $B)")
            }
            ("net-below", Some(_), Some(_)) => {
                invalid("the event net-below takes either --against or --level, not both")
            }
            ("catastrophe", None, None) => Ok(OutcomeEvent::Catastrophe),
            ("catastrophe", _, _) => invalid("the event catastrophe takes neither --against nor --level"),
            ("harm-above", None, Some(t)) => Ok(OutcomeEvent::HarmAbove { level: t }),
            ("harm-above", None, None) => invalid("the event harm-above needs a level: --level $B"),
            ("harm-above", Some(_), _) => invalid("the event harm-above takes no --against"),
            _ => Err(DiscoveryError::Invalid(format!(
                "{key:?} is not an event; use net-below (with --against POLICY or --level $B), catastrophe, or \
                 harm-above (with --level $B)"
            ))),
        }
    }

    /// Whether the event happened in each world, for `policy`.
    pub fn worlds(self, worlds: &Worlds, policy: usize) -> Vec<bool> {
        let net = &worlds.net[policy];
        match self {
            OutcomeEvent::NetBelowPolicy { against } => {
                net.iter().zip(&worlds.net[against]).map(|(a, b)| a < b).collect()
            }
            OutcomeEvent::NetBelow { level } => net.iter().map(|&x| x < level).collect(),
            OutcomeEvent::Catastrophe => worlds.catastrophe[policy].clone(),
            OutcomeEvent::HarmAbove { level } => worlds.harm[policy].iter().map(|&x| x > level).collect(),
        }
    }

    /// What happens, as a clause: `"Open" nets less than "Closed"`.
    pub fn describe(self, policies: &[String], policy: usize) -> String {
        let a = &policies[policy];
        match self {
            OutcomeEvent::NetBelowPolicy { against } => format!("\"{a}\" nets less than \"{}\"", policies[against]),
            OutcomeEvent::NetBelow { level } => format!("the net of \"{a}\" is below {} $B", fmt::bound(level)),
            OutcomeEvent::Catastrophe => format!("\"{a}\" sees a catastrophe"),
            OutcomeEvent::HarmAbove { level } => {
                format!("the harm under \"{a}\" is above {} $B", fmt::bound(level))
            }
        }
    }
}

/// PRIM's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrimOptions {
    /// Share of the box's worlds one peel (or paste) moves.
    pub alpha: f64,
    /// Smallest share of all worlds a box may hold.
    pub min_mass: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions { alpha: DEFAULT_ALPHA, min_mass: DEFAULT_MIN_MASS }
    }
}

/// One restricted input of a box: `lower < x < upper` (a missing side is unrestricted).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Restriction {
    /// Index of the input (for worlds: into `Worlds::param_ids`).
    pub input: usize,
    /// Its name (`world.KEY` for worlds).
    pub name: String,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// One-sided binomial quasi-p-value of the restriction (see the module's notes).
    pub p_value: f64,
    /// The smallest and largest draw of the input over all worlds: what the box cuts from.
    pub sampled_min: f64,
    pub sampled_max: f64,
}

impl Restriction {
    /// `27.3 < world.hazard_threshold < 28.1`, with the `world.` prefix dropped.
    pub fn rule(&self) -> String {
        let name = self.name.trim_start_matches("world.");
        match (self.lower, self.upper) {
            (Some(lo), Some(hi)) => format!("{} < {name} < {}", fmt::bound(lo), fmt::bound(hi)),
            (Some(lo), None) => format!("{name} > {}", fmt::bound(lo)),
            (None, Some(hi)) => format!("{name} < {}", fmt::bound(hi)),
            (None, None) => format!("any {name}"),
        }
    }
}

/// A box: its restrictions (most significant first) and how well it captures the event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrimBox {
    /// Share of all event worlds that are inside.
    pub coverage: f64,
    /// Share of the worlds inside in which the event happens.
    pub density: f64,
    /// Share of all worlds that are inside.
    pub mass: f64,
    pub worlds: usize,
    pub events: usize,
    pub restrictions: Vec<Restriction>,
}

impl PrimBox {
    /// The restrictions as one rule: `hazard_threshold < 27.3 and tail_alpha < 1.4`.
    pub fn rules(&self) -> String {
        if self.restrictions.is_empty() {
            "every world".into()
        } else {
            self.restrictions.iter().map(Restriction::rule).collect::<Vec<_>>().join(" and ")
        }
    }
}

/// Bounds of a box, one `(lower, upper)` per input; membership is `lower < x < upper`.
type Bounds = Vec<(f64, f64)>;

/// A PRIM run over fixed inputs: the inputs sorted once, shared by peeling and pasting.
pub struct Prim<'a> {
    inputs: &'a [Vec<f64>],
    names: Vec<String>,
    event: &'a [bool],
    /// Per input, the worlds in ascending order of the input.
    order: Vec<Vec<u32>>,
    /// Per input, its smallest and largest value.
    ranges: Vec<(f64, f64)>,
    opts: PrimOptions,
    total_events: usize,
}

/// The peeling trajectory: every box from all worlds to the smallest, with its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    pub boxes: Vec<PrimBox>,
    bounds: Vec<Bounds>,
}

impl<'a> Prim<'a> {
    /// PRIM over `inputs` (`[input][world]`, named by `names`) for the event worlds `event`.
    pub fn new(inputs: &'a [Vec<f64>], names: Vec<String>, event: &'a [bool], opts: PrimOptions) -> Prim<'a> {
        use rayon::prelude::*;
        let order = inputs
            .par_iter()
            .map(|x| {
                let mut o: Vec<u32> = (0..x.len() as u32).collect();
                o.sort_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]));
                o
            })
            .collect();
        let total_events = event.iter().filter(|&&e| e).count();
        let ranges = inputs
            .iter()
            .map(|x| x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v))))
            .collect();
        Prim { inputs, names, event, order, ranges, opts, total_events }
    }

    fn n(&self) -> usize {
        self.event.len()
    }

    fn inside(&self, bounds: &Bounds, w: usize) -> bool {
        self.inputs.iter().zip(bounds).all(|(x, &(lo, hi))| x[w] > lo && x[w] < hi)
    }

    /// The box's description, its restrictions with their quasi-p-values.
    fn describe(&self, bounds: &Bounds, member: &[bool]) -> PrimBox {
        let n = self.n();
        let worlds = member.iter().filter(|&&m| m).count();
        let events = member.iter().zip(self.event).filter(|(m, e)| **m && **e).count();
        // How many restrictions exclude each world: one restriction dropped admits the
        // worlds only it excludes.
        let mut violations = vec![0u8; n];
        for (x, &(lo, hi)) in self.inputs.iter().zip(bounds) {
            if lo.is_finite() || hi.is_finite() {
                for (v, &xw) in violations.iter_mut().zip(x) {
                    *v = v.saturating_add(u8::from(!(xw > lo && xw < hi)));
                }
            }
        }
        let mut restrictions: Vec<Restriction> = bounds
            .iter()
            .enumerate()
            .filter(|(_, (lo, hi))| lo.is_finite() || hi.is_finite())
            .map(|(i, &(lo, hi))| {
                // The box without this restriction: its event rate is the null hypothesis.
                let x = &self.inputs[i];
                let (mut wider, mut wider_events) = (0usize, 0usize);
                for w in 0..n {
                    if violations[w] == 0 || (violations[w] == 1 && !(x[w] > lo && x[w] < hi)) {
                        wider += 1;
                        wider_events += usize::from(self.event[w]);
                    }
                }
                Restriction {
                    input: i,
                    name: self.names[i].clone(),
                    lower: lo.is_finite().then_some(lo),
                    upper: hi.is_finite().then_some(hi),
                    p_value: binomial_sf(events, worlds, wider_events as f64 / wider.max(1) as f64),
                    sampled_min: self.ranges[i].0,
                    sampled_max: self.ranges[i].1,
                }
            })
            .collect();
        restrictions.sort_by(|a, b| a.p_value.total_cmp(&b.p_value).then(a.input.cmp(&b.input)));
        PrimBox {
            coverage: ratio(events, self.total_events),
            density: ratio(events, worlds),
            mass: ratio(worlds, n),
            worlds,
            events,
            restrictions,
        }
    }

    /// Peels from the box of all worlds down to `min_mass`.
    pub fn peel(&self) -> Trajectory {
        let n = self.n();
        let k = self.inputs.len();
        let mut bounds: Bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); k];
        let mut member = vec![true; n];
        let (mut worlds, mut events) = (n, self.total_events);
        let mut boxes = vec![self.describe(&bounds, &member)];
        let mut all_bounds = vec![bounds.clone()];
        let min_worlds = (self.opts.min_mass * n as f64).ceil() as usize;
        loop {
            let take = ((self.opts.alpha * worlds as f64).ceil() as usize).max(1);
            // (input, from the top?, worlds removed, events removed, new bound)
            let mut best: Option<(usize, bool, usize, usize, f64)> = None;
            let mut best_density = f64::NEG_INFINITY;
            for j in 0..k {
                for top in [false, true] {
                    let Some((removed, removed_events, cut)) = self.peel_candidate(j, top, &member, take) else {
                        continue;
                    };
                    let left = worlds - removed;
                    if left < min_worlds.max(1) {
                        continue;
                    }
                    let density = (events - removed_events) as f64 / left as f64;
                    // Ties go to the peel that keeps more worlds.
                    let better =
                        density > best_density || (density == best_density && best.is_some_and(|b| removed < b.2));
                    if better {
                        best_density = density;
                        best = Some((j, top, removed, removed_events, cut));
                    }
                }
            }
            let current = ratio(events, worlds);
            let Some((j, top, removed, removed_events, cut)) = best else { break };
            if best_density < current {
                break;
            }
            if top {
                bounds[j].1 = cut;
            } else {
                bounds[j].0 = cut;
            }
            let x = &self.inputs[j];
            for (w, m) in member.iter_mut().enumerate() {
                if *m && !(x[w] > bounds[j].0 && x[w] < bounds[j].1) {
                    *m = false;
                }
            }
            worlds -= removed;
            events -= removed_events;
            boxes.push(self.describe(&bounds, &member));
            all_bounds.push(bounds.clone());
        }
        Trajectory { boxes, bounds: all_bounds }
    }

    /// The `take` box worlds lowest (or highest) in input `j`, with every world tied with the
    /// last of them: how many, how many are events, and the cut that removes them (halfway to
    /// the next value kept). `None` when that would remove the whole box.
    fn peel_candidate(&self, j: usize, top: bool, member: &[bool], take: usize) -> Option<(usize, usize, f64)> {
        let x = &self.inputs[j];
        let order = &self.order[j];
        let mut walk: Box<dyn Iterator<Item = usize>> = if top {
            Box::new(order.iter().rev().map(|&w| w as usize).filter(|&w| member[w]))
        } else {
            Box::new(order.iter().map(|&w| w as usize).filter(|&w| member[w]))
        };
        let (mut removed, mut removed_events) = (0usize, 0usize);
        let mut last = f64::NAN;
        for w in walk.by_ref() {
            if removed >= take && x[w] != last {
                let cut = last + 0.5 * (x[w] - last);
                // Halfway may round onto `last` for adjacent floats; `last` itself still cuts.
                return Some((removed, removed_events, if cut == x[w] { last } else { cut }));
            }
            removed += 1;
            removed_events += usize::from(self.event[w]);
            last = x[w];
        }
        None
    }

    /// Pastes box `index` of `trajectory`: widens it by `alpha` of its worlds along the edge
    /// that keeps the highest density, as long as the density does not fall.
    pub fn paste(&self, trajectory: &Trajectory, index: usize) -> PrimBox {
        let n = self.n();
        let mut bounds = trajectory.bounds[index].clone();
        let mut member: Vec<bool> = (0..n).map(|w| self.inside(&bounds, w)).collect();
        let mut worlds = member.iter().filter(|&&m| m).count();
        let mut events = member.iter().zip(self.event).filter(|(m, e)| **m && **e).count();
        loop {
            let take = ((self.opts.alpha * worlds as f64).ceil() as usize).max(1);
            let current = ratio(events, worlds);
            let mut best: Option<(usize, bool, Vec<usize>, usize, f64)> = None;
            let mut best_density = current;
            for j in 0..bounds.len() {
                for top in [false, true] {
                    let edge = if top { bounds[j].1 } else { bounds[j].0 };
                    if !edge.is_finite() {
                        continue;
                    }
                    let (added, cut) = self.paste_candidate(&bounds, j, top, take);
                    if added.is_empty() {
                        continue;
                    }
                    let added_events = added.iter().filter(|&&w| self.event[w]).count();
                    let density = (events + added_events) as f64 / (worlds + added.len()) as f64;
                    if density >= best_density
                        && best.as_ref().is_none_or(|b| density > best_density || added.len() > b.2.len())
                    {
                        best_density = density;
                        best = Some((j, top, added, added_events, cut));
                    }
                }
            }
            let Some((j, top, added, added_events, cut)) = best else { break };
            if top {
                bounds[j].1 = cut;
            } else {
                bounds[j].0 = cut;
            }
            for &w in &added {
                member[w] = true;
            }
            worlds += added.len();
            events += added_events;
        }
        self.describe(&bounds, &member)
    }

    /// The `take` worlds just outside edge `top` of input `j` that every other restriction
    /// admits (with ties of the last), and the edge that admits them (infinite when none is
    /// left beyond).
    fn paste_candidate(&self, bounds: &Bounds, j: usize, top: bool, take: usize) -> (Vec<usize>, f64) {
        let x = &self.inputs[j];
        let order = &self.order[j];
        let others = |w: usize| {
            self.inputs.iter().zip(bounds).enumerate().all(|(i, (x, &(l, h)))| i == j || (x[w] > l && x[w] < h))
        };
        let edge = if top { bounds[j].1 } else { bounds[j].0 };
        // Worlds beyond the edge, nearest first.
        let start = order.partition_point(|&w| x[w as usize] <= edge);
        let beyond: Box<dyn Iterator<Item = usize>> = if top {
            Box::new(order[order.partition_point(|&w| x[w as usize] < edge)..].iter().map(|&w| w as usize))
        } else {
            Box::new(order[..start].iter().rev().map(|&w| w as usize))
        };
        let mut added = Vec::with_capacity(take);
        let mut last = f64::NAN;
        for w in beyond.filter(|&w| others(w)) {
            if added.len() >= take && x[w] != last {
                let cut = last + 0.5 * (x[w] - last);
                return (added, if cut == last { x[w] } else { cut });
            }
            added.push(w);
            last = x[w];
        }
        (added, if top { f64::INFINITY } else { f64::NEG_INFINITY })
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// P(X >= k) for X ~ Binomial(n, p).
fn binomial_sf(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n as u64) {
        Ok(b) => b.sf(k as u64 - 1),
        Err(_) => f64::NAN,
    }
}

/// The default box on a trajectory: the one holding the most event worlds beyond what its
/// size alone would hold at the overall event rate, `coverage * (density - event share)`
/// (a box must both catch most event worlds and be much denser in them than the whole;
/// with a common event, high coverage alone says nothing). Ties go to the earlier, larger box.
pub fn default_choice(boxes: &[PrimBox]) -> usize {
    let Some(all) = boxes.first() else { return 0 };
    let excess = |b: &PrimBox| b.coverage * (b.density - all.density);
    let mut best = 0;
    for (i, b) in boxes.iter().enumerate() {
        if excess(b) > excess(&boxes[best]) {
            best = i;
        }
    }
    best
}

/// What to discover.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoverySpec {
    /// Index of the policy in the scenario.
    pub policy: usize,
    pub event: OutcomeEvent,
    /// The box chosen on the trajectory; `None` picks [`default_choice`].
    pub chosen: Option<usize>,
    pub prim: PrimOptions,
}

/// A scenario discovery: the trajectory, the chosen box (pasted) and the rule that says it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Discovery {
    pub policy: String,
    pub event: OutcomeEvent,
    /// The event as a clause.
    pub event_text: String,
    pub runs: u64,
    pub seed: u64,
    pub prim: PrimOptions,
    /// Worlds in which the event happens, and their share of all worlds.
    pub event_worlds: usize,
    pub event_share: f64,
    /// The peeling trajectory, from the box of all worlds to the smallest.
    pub trajectory: Vec<PrimBox>,
    /// Index of the chosen box on the trajectory.
    pub chosen: usize,
    /// The chosen box after pasting.
    pub chosen_box: PrimBox,
    /// The chosen box in words.
    pub statement: String,
}

/// Runs PRIM over the worlds' uncertain parameters for the event of `spec`.
///
/// # Errors
/// [`DiscoveryError::Invalid`] for a policy out of range, worlds without uncertain
/// parameters, or a chosen box beyond the trajectory.
pub fn discover(worlds: &Worlds, spec: &DiscoverySpec) -> Result<Discovery, DiscoveryError> {
    let np = worlds.policies.len();
    let in_range = |p: usize| p < np;
    if !in_range(spec.policy) || matches!(spec.event, OutcomeEvent::NetBelowPolicy { against } if !in_range(against)) {
        return Err(DiscoveryError::Invalid(format!("there is no such policy (the scenario has {np})")));
    }
    if worlds.param_ids.is_empty() {
        return Err(DiscoveryError::Invalid(
            "the scenario has no uncertain parameters: give at least one world parameter a distribution".into(),
        ));
    }
    let event = spec.event.worlds(worlds, spec.policy);
    let prim = Prim::new(&worlds.params, worlds.param_names(), &event, spec.prim);
    let trajectory = prim.peel();
    let chosen = spec.chosen.unwrap_or_else(|| default_choice(&trajectory.boxes));
    if chosen >= trajectory.boxes.len() {
        return Err(DiscoveryError::Invalid(format!(
            "box {chosen} is not on the trajectory (it has boxes 0 to {})",
            trajectory.boxes.len() - 1
        )));
    }
    let chosen_box = prim.paste(&trajectory, chosen);
    let event_text = spec.event.describe(&worlds.policies, spec.policy);
    let statement = statement(&chosen_box, &event_text);
    Ok(Discovery {
        policy: worlds.policies[spec.policy].clone(),
        event: spec.event,
        event_text,
        runs: worlds.runs,
        seed: worlds.seed,
        prim: spec.prim,
        event_worlds: prim.total_events,
        event_share: ratio(prim.total_events, worlds.n_worlds()),
        trajectory: trajectory.boxes,
        chosen,
        chosen_box,
        statement,
    })
}

/// "hazard_threshold < 27.3 and tail_alpha < 1.4: in 81% of such worlds "A" nets less than
/// "B"; 64% of all worlds where it does are inside (12% of all worlds)."
pub fn statement(b: &PrimBox, event_text: &str) -> String {
    if b.events == 0 {
        return format!("In no world does it happen that {event_text}.");
    }
    format!(
        "{}: in {:.0}% of such worlds {event_text}; {:.0}% of all worlds where it does are inside ({:.0}% of all \
         worlds).",
        b.rules(),
        100.0 * b.density,
        100.0 * b.coverage,
        100.0 * b.mass
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::mix64;

    fn u(i: u64) -> f64 {
        (mix64(i) >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn binomial_tail() {
        assert_eq!(binomial_sf(0, 10, 0.3), 1.0);
        assert!((binomial_sf(10, 10, 0.5) - 0.5f64.powi(10)).abs() < 1e-12);
    }

    #[test]
    fn peeling_stops_at_the_minimum_mass_and_density_never_falls() {
        let n = 2000u64;
        let x: Vec<Vec<f64>> = (0..3).map(|j| (0..n).map(|i| u(j * n + i)).collect()).collect();
        let event: Vec<bool> = (0..n as usize).map(|i| x[0][i] + 0.3 * u(99 * n + i as u64) > 0.8).collect();
        let prim = Prim::new(&x, vec!["a".into(), "b".into(), "c".into()], &event, PrimOptions::default());
        let t = prim.peel();
        assert!(t.boxes.len() > 10);
        assert!(t.boxes.windows(2).all(|w| w[1].density >= w[0].density && w[1].mass < w[0].mass));
        assert!(t.boxes.last().unwrap().mass >= DEFAULT_MIN_MASS);
        assert_eq!(t.boxes[0].restrictions.len(), 0);
        assert_eq!(t.boxes[0].coverage, 1.0);
    }

    #[test]
    fn events_parse_with_their_options() {
        assert_eq!(OutcomeEvent::parse("catastrophe", None, None), Ok(OutcomeEvent::Catastrophe));
        assert_eq!(OutcomeEvent::parse("net-below", Some(2), None), Ok(OutcomeEvent::NetBelowPolicy { against: 2 }));
        let e = OutcomeEvent::parse("harm-above", None, None).unwrap_err();
        assert!(e.to_string().contains("--level"), "{e}");
        assert!(OutcomeEvent::parse("net-below", None, None).is_err());
        assert!(OutcomeEvent::parse("boom", None, None).unwrap_err().to_string().contains("not an event"));
    }
}
