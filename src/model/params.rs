//! The world parameters of MODEL.md: their names, units, allowed ranges and sources.
//!
//! One table serves validation, the per-run parameter vector, the CLI, the docs and the
//! app's tooltips, so a parameter's name and meaning live in exactly one place.

/// The range a parameter's value (or every value its distribution can take) must lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// Any finite number (capability levels in log10 FLOP).
    Any,
    /// `>= 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// `[0, 1]`.
    Probability,
    /// `[lo, hi]`.
    Closed(f64, f64),
}

impl Range {
    /// Lower and upper bound, and whether the lower bound itself is excluded.
    pub fn bounds(self) -> (f64, f64, bool) {
        match self {
            Range::Any => (f64::NEG_INFINITY, f64::INFINITY, false),
            Range::NonNegative => (0.0, f64::INFINITY, false),
            Range::Positive => (0.0, f64::INFINITY, true),
            Range::Probability => (0.0, 1.0, false),
            Range::Closed(lo, hi) => (lo, hi, false),
        }
    }

    /// Whether `x` is allowed.
    pub fn contains(self, x: f64) -> bool {
        let (lo, hi, open_lo) = self.bounds();
        x.is_finite() && (if open_lo { x > lo } else { x >= lo }) && x <= hi
    }

    /// Human-readable statement of the range, for error messages.
    pub fn describe(self) -> String {
        match self {
            Range::Any => "any finite number".into(),
            Range::NonNegative => "a number >= 0".into(),
            Range::Positive => "a number > 0".into(),
            Range::Probability => "a number in [0, 1]".into(),
            Range::Closed(lo, hi) => format!("a number in [{lo}, {hi}]"),
        }
    }
}

/// Thematic groups, as the app's scenario panel shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Capability,
    Misuse,
    Benefits,
    Migration,
    Economics,
    Levers,
}

impl Group {
    pub const ALL: [Group; 6] =
        [Group::Capability, Group::Misuse, Group::Benefits, Group::Migration, Group::Economics, Group::Levers];

    pub fn label(self) -> &'static str {
        match self {
            Group::Capability => "Capability",
            Group::Misuse => "Misuse and harm",
            Group::Benefits => "Benefits and adoption",
            Group::Migration => "Migration",
            Group::Economics => "Economics",
            Group::Levers => "Effect of spending (policy levers)",
        }
    }
}

/// Everything known about one world parameter.
#[derive(Clone, Copy, Debug)]
pub struct ParamInfo {
    pub key: &'static str,
    pub symbol: &'static str,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub source: &'static str,
    pub range: Range,
    pub group: Group,
    /// A sensible slider span for the app (the value may go beyond it by typing).
    pub slider: (f64, f64),
}

macro_rules! params {
    ($( $id:ident => $key:literal, $sym:literal, $unit:literal, $range:expr, $group:ident, $slider:expr,
        $meaning:literal, $source:literal; )*) => {
        /// Index of a world parameter in [`PARAMS`] and in every per-run parameter vector.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        pub enum P { $($id,)* }

        /// The world parameters, in MODEL.md's order.
        pub const PARAMS: &[ParamInfo] = &[
            $(ParamInfo { key: $key, symbol: $sym, unit: $unit, range: $range, group: Group::$group,
                slider: $slider, meaning: $meaning, source: $source },)*
        ];
    };
}

params! {
    k0 => "k0", "K(0)", "log10 effective FLOP", Range::Any, Capability, (24.0, 30.0),
        "Capability of the frontier model at the start, as log10 of its training compute.",
        "Epoch AI: frontier training compute late 2026";
    o0 => "o0", "O(0)", "log10 effective FLOP", Range::Any, Capability, (24.0, 30.0),
        "Most capable model whose weights are public at the start (the open pool).",
        "Epoch AI: best open models reach similar capability with about 10x less compute";
    growth => "growth", "g", "OOM/yr", Range::NonNegative, Capability, (0.0, 1.5),
        "Mean growth of frontier capability, in orders of magnitude of compute per year.",
        "Epoch AI 2024: frontier compute grows 4-5x per year";
    growth_sd => "growth_sd", "sigma_K", "OOM/sqrt(yr)", Range::NonNegative, Capability, (0.0, 0.5),
        "Volatility of frontier growth (Brownian noise on the frontier).",
        "judgment";
    open_lag => "open_lag", "l", "OOM", Range::NonNegative, Capability, (0.0, 1.5),
        "How far open releases trail their jurisdiction's frontier.",
        "Epoch AI 2025-26: open models lag about 3.5-4 months; about a year in 2024";
    gap_per_log_share => "gap_per_log_share", "gamma", "OOM per log10 share ratio", Range::NonNegative, Capability, (0.0, 2.0),
        "How far a jurisdiction's frontier trails the leader per tenfold smaller development share.",
        "judgment";
    gap_cap => "gap_cap", "gap_cap", "log10 share ratio", Range::NonNegative, Capability, (0.0, 5.0),
        "Largest share ratio (log10) that still widens a jurisdiction's capability gap.",
        "judgment";
    research_boost => "research_boost", "psi", "fraction", Range::NonNegative, Capability, (0.0, 1.0),
        "Extra frontier growth when the open pool is close to the frontier (open research speeds progress).",
        "judgment";
    openness_gap_ref => "openness_gap_ref", "gap_ref", "OOM", Range::Positive, Capability, (0.1, 5.0),
        "Frontier-to-open-pool gap at which openness theta falls to zero.",
        "judgment";
    hazard_threshold => "hazard_threshold", "H", "log10 effective FLOP", Range::Any, Misuse, (25.0, 31.0),
        "Capability at which a model gives serious uplift to misuse (midpoint of the hazard curve).",
        "judgment; uplift studies range from none (RAND 2024) to 2.5-4x (2025-26)";
    hazard_width => "hazard_width", "w", "OOM", Range::Positive, Misuse, (0.05, 2.0),
        "Width of the logistic hazard curve around the hazard threshold.",
        "judgment";
    misuse_rate => "misuse_rate", "Lambda", "events/yr", Range::Closed(0.0, 10_000.0), Misuse, (0.0, 20.0),
        "Misuse events per year when hazardous capability is fully available and unguarded.",
        "judgment";
    strip_prob => "strip_prob", "a_open", "probability", Range::Probability, Misuse, (0.0, 1.0),
        "Chance that a misuser of open weights strips the safeguards by fine-tuning.",
        "Qi et al. 2023 (10 examples, under $0.20); Lermen et al. 2023 (under $200); BadLlama";
    api_misuse => "api_misuse", "a_api", "probability", Range::Probability, Misuse, (0.0, 1.0),
        "Chance that misuse through an API succeeds: jailbreak success times escaping detection.",
        "HarmBench, PAIR, Constitutional Classifiers: jailbreak success 0.2-0.9 unguarded, ~0.05 with classifiers";
    severity_min => "severity_min", "S_min", "$B", Range::Positive, Misuse, (0.1, 50.0),
        "Scale of a misuse event's damage (the smallest event, before uplift and preparedness).",
        "judgment";
    tail_alpha => "tail_alpha", "alpha", "Pareto shape", Range::Positive, Misuse, (0.8, 3.0),
        "Shape of the Pareto tail of event severity; near 1 means a few events dominate all harm.",
        "Clauset et al.: terrorism severity tail; pandemics are heavier";
    severity_per_oom => "severity_per_oom", "kappa", "log10 $ per OOM", Range::NonNegative, Misuse, (0.0, 1.5),
        "How fast event severity rises with capability above the hazard threshold.",
        "judgment (uplift rising with capability)";
    severity_cap => "severity_cap", "S_cap", "$B", Range::Positive, Misuse, (1000.0, 1_000_000.0),
        "Largest possible damage of one event.",
        "about world GDP";
    catastrophe_threshold => "catastrophe_threshold", "S_cat", "$B", Range::Positive, Misuse, (10.0, 100_000.0),
        "Damage of one event from which it counts as a catastrophe.",
        "1% of world GDP";
    leak_closed => "leak_closed", "leak_closed", "per yr", Range::NonNegative, Misuse, (0.0, 0.5),
        "Hazard rate at which the weights of a held-back (API-only) model leak.",
        "judgment; RAND 2024 weight-security levels";
    leak_gated => "leak_gated", "leak_gated", "per yr", Range::NonNegative, Misuse, (0.0, 2.0),
        "Hazard rate at which the weights of a model shared with vetted researchers leak.",
        "LLaMA-1 went from gated release to a public torrent in 7 days (2023)";
    value_per_oom => "value_per_oom", "W", "$B/yr per OOM", Range::Positive, Benefits, (50.0, 3000.0),
        "Yearly value of one order of magnitude of capability above k_base at full adoption (world weight 1).",
        "generative AI value estimates of $2.6-4.4T per year at scale";
    k_base => "k_base", "k_base", "log10 effective FLOP", Range::Any, Benefits, (18.0, 26.0),
        "Capability below which a model adds no economic value.",
        "judgment";
    bass_p => "bass_p", "p", "per yr", Range::NonNegative, Benefits, (0.0, 0.3),
        "Bass innovation coefficient: adoption that happens without imitation.",
        "Bass meta-analysis (Sultan, Farley, Lehmann 1990); generative AI adoption surveys";
    bass_q => "bass_q", "q", "per yr", Range::NonNegative, Benefits, (0.0, 1.0),
        "Bass imitation coefficient: adoption driven by adopters.",
        "Bass meta-analysis (Sultan, Farley, Lehmann 1990); generative AI adoption surveys";
    open_adoption_boost => "open_adoption_boost", "omega", "fraction", Range::NonNegative, Benefits, (0.0, 2.0),
        "Extra imitation when value comes from open weights (low-cost access widens adoption).",
        "judgment (open weights widen low-cost access)";
    scrutiny_boost => "scrutiny_boost", "beta", "fraction", Range::NonNegative, Benefits, (0.0, 3.0),
        "Extra speed of defensive preparedness when openness is high (security through scrutiny).",
        "judgment (security through scrutiny)";
    r_max => "r_max", "r_max", "fraction", Range::Probability, Benefits, (0.0, 1.0),
        "Highest share of an event's damage that preparedness can prevent.",
        "judgment";
    burden_gated => "burden_gated", "burden_gated", "burden units", Range::NonNegative, Migration, (0.0, 1.0),
        "Regulatory burden on a jurisdiction whose frontier is above its open ceiling.",
        "judgment";
    burden_closed => "burden_closed", "burden_closed", "burden units", Range::NonNegative, Migration, (0.0, 1.0),
        "Extra burden on a jurisdiction whose frontier is above its gated ceiling (API-only).",
        "judgment";
    mobility => "mobility", "mu", "per yr", Range::NonNegative, Migration, (0.0, 2.0),
        "Speed at which development moves to less burdened jurisdictions.",
        "survey: 16% of EU AI startups would consider relocating (2023)";
    migration_sd => "migration_sd", "sigma_m", "log units", Range::NonNegative, Migration, (0.0, 1.0),
        "Log-normal noise on each step's migration flows.",
        "judgment";
    discount_rate => "discount_rate", "delta", "per yr", Range::NonNegative, Economics, (0.0, 0.1),
        "Continuous discount rate applied to benefits and harms.",
        "common policy appraisal rate";
    safeguard_halving => "safeguard_halving", "G_half", "$B/yr", Range::Positive, Levers, (1.0, 100.0),
        "Yearly safeguard spending (all jurisdictions together) that halves strip_prob; each further amount halves it again.",
        "judgment; tamper-resistant safeguards are an open research problem (Tamirisa et al. 2024, TAR)";
    defense_per_billion => "defense_per_billion", "rho_$", "per yr per $B/yr", Range::NonNegative, Levers, (0.0, 0.1),
        "Rise in a jurisdiction's defense_rate per $B/yr it spends on societal preparedness.",
        "judgment";
    // Model v2 (docs/MODEL.md): each parameter below is optional and, left out, turns its
    // mechanism off, so a v1 scenario runs exactly as before. Appended at the end so that the
    // uncertain parameters of a v1 scenario keep their order (and so their draws).
    continuation_years => "continuation_years", "L", "years", Range::NonNegative, Economics, (0.0, 50.0),
        "Years after the horizon over which the end state's benefit and harm flows are counted on (discounted); 0 stops counting at the horizon.",
        "judgment";
    world_output => "world_output", "Y_out", "$B/yr", Range::Positive, Economics, (10_000.0, 1_000_000.0),
        "World output per year: misuse can destroy at most this much per simulated year in all, and lost output yields no benefit. Left out, losses are unbounded.",
        "IMF World Economic Outlook: world GDP about $105T (2023) and $110T (2024)";
    algorithmic_progress => "algorithmic_progress", "a", "OOM/yr", Range::NonNegative, Capability, (0.0, 1.0),
        "Yearly gain in effective compute from better algorithms, on top of growth; ceilings stated in training FLOP rise by it.",
        "Ho et al. 2024 (Epoch AI): compute for a given language-model performance halves about every 8 months (95% CI 5-14), about 0.4 OOM/yr";
    leak_public_share => "leak_public_share", "p_pub", "probability", Range::Probability, Misuse, (0.0, 1.0),
        "Chance that leaked weights are posted for anyone; otherwise only misusers get them.",
        "judgment";
    distill_lag => "distill_lag", "l_d", "OOM", Range::NonNegative, Capability, (0.0, 3.0),
        "Most the open pool can trail the best model served by API (distillation of served models). Left out, no distillation.",
        "judgment";
    scrutiny_safety => "scrutiny_safety", "sigma_s", "per yr", Range::NonNegative, Misuse, (0.0, 1.0),
        "Rate at which outside access to models near the frontier (scrutiny) makes misuse harder and evaluations better.",
        "judgment";
}

/// What `world_output` holds when a scenario leaves it out: 0, outside its range (`> 0`), so
/// no file can give it. The engine reads it as unbounded losses.
pub const WORLD_OUTPUT_LEFT_OUT: f64 = 0.0;

/// What `distill_lag` holds when a scenario leaves it out: a negative lag, outside its range
/// (`>= 0`), so no file can give it. The engine reads it as no distillation. (Any negative
/// value would do; this one lies within a tenth of the parameter's slider span below the
/// range, so that an editor that turns the value into a distribution around it, as the app's
/// does, starts from one inside the range.)
pub const DISTILL_LAG_LEFT_OUT: f64 = -0.1;

/// World parameters a scenario may leave out, with the value they then take: the effects of
/// the policy levers' spending, which change nothing while no policy spends, and model v2's
/// parameters, whose mechanisms are off at these values (`world_output` and `distill_lag`
/// hold a value outside their range, which means "left out").
pub const OPTIONAL_PARAMS: &[(&str, f64)] = &[
    ("safeguard_halving", 10.0),
    ("defense_per_billion", 0.02),
    ("continuation_years", 0.0),
    ("world_output", WORLD_OUTPUT_LEFT_OUT),
    ("algorithmic_progress", 0.0),
    ("leak_public_share", 1.0),
    ("distill_lag", DISTILL_LAG_LEFT_OUT),
    ("scrutiny_safety", 0.0),
];

/// Model v2's world parameters (docs/MODEL.md): a scenario that sets any of them away from
/// its value when left out is a model-version-2 scenario (`Scenario::model_version`).
pub const V2_PARAMS: [P; 6] = [
    P::continuation_years,
    P::world_output,
    P::algorithmic_progress,
    P::leak_public_share,
    P::distill_lag,
    P::scrutiny_safety,
];

/// Whether `d` is what parameter `key` holds when a scenario leaves it out (an optional
/// parameter at its default, or a v2 parameter whose mechanism is then off).
pub fn is_left_out(key: &str, d: &super::dist::Dist) -> bool {
    optional_default(key).is_some_and(|x| *d == super::dist::Dist::Fixed(x))
}

/// The value `key` takes when a scenario leaves it out, if it may.
pub fn optional_default(key: &str) -> Option<f64> {
    OPTIONAL_PARAMS.iter().find(|(k, _)| *k == key).map(|&(_, d)| d)
}

/// Number of world parameters.
pub const N_PARAMS: usize = PARAMS.len();

impl P {
    pub fn info(self) -> &'static ParamInfo {
        &PARAMS[self as usize]
    }
}

/// Parameters whose draws are clamped at the top of their range, by key: a rate is naturally
/// given an unbounded distribution (a lognormal), while the engine walks event counts one by
/// one and needs a bound. The clamps are counted in summary.json (`clamped_draws`).
pub const DRAW_CAPS: &[(&str, f64)] = &[("misuse_rate", 10_000.0)];

/// The cap on `key`'s draws, if it has one.
pub fn draw_cap(key: &str) -> Option<f64> {
    DRAW_CAPS.iter().find(|(k, _)| *k == key).map(|&(_, c)| c)
}

/// Looks a world parameter up by its key in the scenario file.
pub fn param_index(key: &str) -> Option<usize> {
    PARAMS.iter().position(|p| p.key == key)
}

/// Jurisdiction attributes: key, unit, range, meaning.
pub const JURISDICTION_KEYS: &[(&str, &str, Range, &str)] = &[
    (
        "share0",
        "fraction",
        Range::Probability,
        "Initial share of frontier development capacity (all jurisdictions sum to 1).",
    ),
    ("host", "fraction", Range::Probability, "Attractiveness to relocating developers (sums to 1)."),
    ("base_burden", "burden units", Range::Probability, "Regulatory burden besides release rules."),
    ("weight", "fraction", Range::Probability, "Share of world benefit absorption, e.g. GDP share (sums to 1)."),
    ("exposure", "fraction", Range::Probability, "Share of misuse events that land here (sums to 1)."),
    ("api_access", "fraction", Range::Probability, "Value of API-only access relative to open weights (phi)."),
    ("adoption0", "fraction", Range::Probability, "Initial adoption of AI."),
    ("preparedness0", "fraction", Range::Probability, "Initial preparedness: share of an event's damage prevented."),
    ("defense_rate", "per yr", Range::NonNegative, "Speed at which preparedness approaches r_max (rho)."),
    (
        "leak_multiplier",
        "factor",
        Range::Closed(0.0, 2.0),
        "Multiplier on leak rates: weight-security quality (1 = average).",
    ),
];

/// Number of jurisdiction attributes (`JURISDICTION_KEYS`, `Jurisdiction::values`).
pub const N_JURISDICTION_ATTRS: usize = 10;
const _: () = assert!(JURISDICTION_KEYS.len() == N_JURISDICTION_ATTRS);

/// Indices of the jurisdiction attributes in `JURISDICTION_KEYS` (and `Jurisdiction::values`).
pub mod attr {
    pub const SHARE0: usize = 0;
    pub const HOST: usize = 1;
    pub const BASE_BURDEN: usize = 2;
    pub const WEIGHT: usize = 3;
    pub const EXPOSURE: usize = 4;
    pub const API_ACCESS: usize = 5;
    pub const ADOPTION0: usize = 6;
    pub const PREPAREDNESS0: usize = 7;
    pub const DEFENSE_RATE: usize = 8;
    pub const LEAK_MULTIPLIER: usize = 9;
}

/// Jurisdiction attributes that must be fixed numbers: each sums to 1 over the jurisdictions
/// (`share0`, `host`, `weight`, `exposure`), which a draw per run would break.
pub const SUMMED_JURISDICTION_ATTRS: [usize; 4] = [attr::SHARE0, attr::HOST, attr::WEIGHT, attr::EXPOSURE];

/// Whether jurisdiction attribute `k` may be a distribution.
pub fn attr_may_be_uncertain(k: usize) -> bool {
    k < N_JURISDICTION_ATTRS && !SUMMED_JURISDICTION_ATTRS.contains(&k)
}

/// Short human names of the jurisdiction attributes, in `JURISDICTION_KEYS` order: the app's
/// and the figures' labels ("US: API access value (fraction)").
pub const JURISDICTION_LABELS: [&str; N_JURISDICTION_ATTRS] = [
    "initial development share",
    "pull on developers",
    "base regulatory burden",
    "benefit weight",
    "exposure to misuse",
    "API access value",
    "initial adoption",
    "initial preparedness",
    "defense rate",
    "leak multiplier",
];

/// Looks a jurisdiction attribute up by its key.
pub fn attr_index(key: &str) -> Option<usize> {
    JURISDICTION_KEYS.iter().position(|(k, ..)| *k == key)
}

/// The per-run parameter vector: the world parameters (`params::P`), then every
/// jurisdiction's attributes, `N_PARAMS + j * N_JURISDICTION_ATTRS + k`. A fixed attribute
/// draws nothing, so a scenario whose attributes are all fixed draws what it always drew.
pub fn param_count(n_jurisdictions: usize) -> usize {
    N_PARAMS + n_jurisdictions * N_JURISDICTION_ATTRS
}

/// The index in the per-run parameter vector of jurisdiction `j`'s attribute `k`.
#[inline]
pub const fn jurisdiction_param(j: usize, k: usize) -> usize {
    N_PARAMS + j * N_JURISDICTION_ATTRS + k
}

/// What an index of the per-run parameter vector stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRef {
    /// A world parameter, indexed by `P`.
    World(usize),
    /// Jurisdiction `j`'s attribute `attr` (an index into `JURISDICTION_KEYS`).
    Jurisdiction { j: usize, attr: usize },
}

impl ParamRef {
    pub fn of(id: usize) -> ParamRef {
        if id < N_PARAMS {
            ParamRef::World(id)
        } else {
            let x = id - N_PARAMS;
            ParamRef::Jurisdiction { j: x / N_JURISDICTION_ATTRS, attr: x % N_JURISDICTION_ATTRS }
        }
    }

    /// The range its values must lie in.
    pub fn range(self) -> Range {
        match self {
            ParamRef::World(i) => PARAMS[i].range,
            ParamRef::Jurisdiction { attr, .. } => JURISDICTION_KEYS[attr].2,
        }
    }

    /// Its unit.
    pub fn unit(self) -> &'static str {
        match self {
            ParamRef::World(i) => PARAMS[i].unit,
            ParamRef::Jurisdiction { attr, .. } => JURISDICTION_KEYS[attr].1,
        }
    }
}

/// The key of per-run parameter `id` everywhere outside the file's own tables (params.csv,
/// sensitivity, PRIM, EVPPI, correlations, labels): `world.KEY` or
/// `jurisdiction.NAME.ATTR`, for jurisdictions named `names`.
pub fn param_key<S: AsRef<str>>(id: usize, names: &[S]) -> String {
    match ParamRef::of(id) {
        ParamRef::World(i) => format!("world.{}", PARAMS[i].key),
        ParamRef::Jurisdiction { j, attr } => {
            let name = names.get(j).map_or("?", AsRef::as_ref);
            format!("jurisdiction.{name}.{}", JURISDICTION_KEYS[attr].0)
        }
    }
}

/// The per-run parameter a key names (`world.KEY` or `jurisdiction.NAME.ATTR`), for
/// jurisdictions named `names`; `None` when it names none.
pub fn param_of_key<S: AsRef<str>>(key: &str, names: &[S]) -> Option<usize> {
    if let Some(k) = key.strip_prefix("world.") {
        return param_index(k);
    }
    let (name, a) = key.strip_prefix("jurisdiction.")?.rsplit_once('.')?;
    let j = names.iter().position(|n| n.as_ref() == name)?;
    Some(jurisdiction_param(j, attr_index(a)?))
}

/// What a key means, without the scenario: its unit, its meaning and a short human label
/// ("US: API access value" for `jurisdiction.US.api_access`, `misuse_rate` for
/// `world.misuse_rate`). `None` for a key that names nothing.
pub fn describe_key(key: &str) -> Option<KeyInfo> {
    if let Some(k) = key.strip_prefix("world.") {
        let p = PARAMS.iter().find(|p| p.key == k)?;
        return Some(KeyInfo { label: p.key.to_string(), unit: p.unit, meaning: p.meaning.to_string() });
    }
    let (name, a) = key.strip_prefix("jurisdiction.")?.rsplit_once('.')?;
    let k = attr_index(a)?;
    let (_, unit, _, meaning) = JURISDICTION_KEYS[k];
    Some(KeyInfo { label: format!("{name}: {}", JURISDICTION_LABELS[k]), unit, meaning: format!("{name}: {meaning}") })
}

/// A parameter key described for people (`describe_key`).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyInfo {
    pub label: String,
    pub unit: &'static str,
    pub meaning: String,
}

impl KeyInfo {
    /// The label with its unit: "US: API access value (fraction)".
    pub fn label_with_unit(&self) -> String {
        if self.unit.is_empty() || self.unit == "-" {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, self.unit)
        }
    }
}
