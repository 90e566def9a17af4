//! The checked scenario that everything downstream trusts, and the draft the editor changes.
//!
//! A [`Scenario`] is built only by parsing a scenario file (`check::parse`, as
//! [`Scenario::parse`]) or by checking a [`ScenarioDraft`]; its fields are private, so every
//! `Scenario` in the program has passed every rule of docs/SCENARIO.md. The few changes a
//! checked scenario may take (another run count or seed) go through methods that keep it
//! valid.

use sha2::{Digest, Sha256};

use super::correlation::Correlation;
use super::dist::Dist;
use super::error::{Issue, ScenarioError};
use super::params::{self, N_JURISDICTION_ATTRS, N_PARAMS};
use super::regime::Policy;

pub const MAX_RUNS: u64 = 10_000_000;
/// The largest seed: the largest TOML integer, so that every seed can be written in a file.
pub const MAX_SEED: u64 = i64::MAX as u64;
pub const MAX_YEARS: u64 = 100;
pub const MAX_STEPS_PER_YEAR: u64 = 52;
pub const MAX_JURISDICTIONS: usize = 64;
pub const MAX_POLICIES: usize = 16;
/// Triggers per policy.
pub const MAX_TRIGGERS: usize = 8;
pub const MAX_NAME_CHARS: usize = 64;
/// Tolerance on the sums of share0, host, weight and exposure.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// What to run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub runs: u64,
    pub seed: u64,
    pub years: u32,
    pub steps_per_year: u32,
    /// Index of the reference policy, the one every other is paired against (the file's
    /// `[run] baseline`).
    pub reference: usize,
}

impl RunSpec {
    pub fn steps(&self) -> usize {
        (self.years * self.steps_per_year) as usize
    }
    pub fn dt(&self) -> f64 {
        1.0 / f64::from(self.steps_per_year)
    }
}

/// A jurisdiction's attributes (MODEL.md, "Entities and state"). Each number is the
/// attribute's value; an attribute given a distribution (docs/SCENARIO.md) has it in
/// `uncertain`, and its number is then the distribution's central value (what a table shows),
/// never what a run uses: runs draw it (`Scenario::param_dists`).
#[derive(Clone, Debug, PartialEq)]
pub struct Jurisdiction {
    pub name: String,
    pub share0: f64,
    pub host: f64,
    pub base_burden: f64,
    pub weight: f64,
    pub exposure: f64,
    pub api_access: f64,
    pub adoption0: f64,
    pub preparedness0: f64,
    pub defense_rate: f64,
    pub leak_multiplier: f64,
    /// Per attribute (in `params::JURISDICTION_KEYS` order), its distribution when it is
    /// uncertain. Only attributes with `params::attr_may_be_uncertain` may have one.
    pub uncertain: [Option<Dist>; N_JURISDICTION_ATTRS],
}

impl Jurisdiction {
    /// Attribute `k`'s value or distribution (`params::JURISDICTION_KEYS` order).
    pub fn dist(&self, k: usize) -> Dist {
        match &self.uncertain[k] {
            Some(d) => d.clone(),
            None => Dist::Fixed(self.values()[k]),
        }
    }

    /// Sets attribute `k` to a value (a `Dist::Fixed`) or a distribution.
    pub fn set_dist(&mut self, k: usize, d: Dist) {
        let central = d.central();
        if let Some(v) = self.values_mut().into_iter().nth(k) {
            *v = central;
        }
        self.uncertain[k] = if d.is_fixed() { None } else { Some(d) };
    }

    /// Every attribute fixed at its central value.
    pub fn fix_attributes(&mut self) {
        self.uncertain = Default::default();
    }

    /// Whether some attribute is uncertain.
    pub fn has_uncertain(&self) -> bool {
        self.uncertain.iter().any(Option::is_some)
    }

    /// The attributes in the order of `params::JURISDICTION_KEYS`.
    pub fn values(&self) -> [f64; 10] {
        [
            self.share0,
            self.host,
            self.base_burden,
            self.weight,
            self.exposure,
            self.api_access,
            self.adoption0,
            self.preparedness0,
            self.defense_rate,
            self.leak_multiplier,
        ]
    }

    pub fn values_mut(&mut self) -> [&mut f64; 10] {
        [
            &mut self.share0,
            &mut self.host,
            &mut self.base_burden,
            &mut self.weight,
            &mut self.exposure,
            &mut self.api_access,
            &mut self.adoption0,
            &mut self.preparedness0,
            &mut self.defense_rate,
            &mut self.leak_multiplier,
        ]
    }

    pub(super) fn from_values(name: String, v: [f64; 10]) -> Self {
        Jurisdiction {
            name,
            share0: v[0],
            host: v[1],
            base_burden: v[2],
            weight: v[3],
            exposure: v[4],
            api_access: v[5],
            adoption0: v[6],
            preparedness0: v[7],
            defense_rate: v[8],
            leak_multiplier: v[9],
            uncertain: Default::default(),
        }
    }
}

/// A checked scenario. Built only by [`Scenario::parse`] or [`ScenarioDraft::check`], so the
/// simulation may rely on every rule in docs/SCENARIO.md.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) run: RunSpec,
    /// Indexed by `params::P`.
    pub(super) world: Vec<Dist>,
    pub(super) jurisdictions: Vec<Jurisdiction>,
    pub(super) policies: Vec<Policy>,
    pub(super) correlations: Vec<Correlation>,
}

/// A scenario being edited: every field open, nothing promised until [`ScenarioDraft::check`]
/// turns it into a [`Scenario`] (the app's editor holds one of these).
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioDraft {
    pub name: String,
    pub description: String,
    pub run: RunSpec,
    /// Indexed by `params::P`.
    pub world: Vec<Dist>,
    pub jurisdictions: Vec<Jurisdiction>,
    pub policies: Vec<Policy>,
    pub correlations: Vec<Correlation>,
}

/// The built-in scenario shipped inside the binary (scenarios/baseline.toml).
pub const BUILT_IN_TOML: &str = include_str!("../../scenarios/baseline.toml");

/// Every preset in `scenarios/`, embedded: (file name, contents).
pub const PRESETS: &[(&str, &str)] = &[
    ("baseline.toml", BUILT_IN_TOML),
    ("unilateral_leakage.toml", include_str!("../../scenarios/unilateral_leakage.toml")),
    ("heavy_tail.toml", include_str!("../../scenarios/heavy_tail.toml")),
    ("strong_safeguards.toml", include_str!("../../scenarios/strong_safeguards.toml")),
    ("moving_threshold.toml", include_str!("../../scenarios/moving_threshold.toml")),
    ("irreversibility.toml", include_str!("../../scenarios/irreversibility.toml")),
    ("levers.toml", include_str!("../../scenarios/levers.toml")),
];

/// Hex sha256 of a scenario's text, the identity stamped on every output.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Scenario {
    /// The built-in scenario.
    pub fn built_in() -> Scenario {
        match Scenario::parse(BUILT_IN_TOML, "baseline.toml") {
            Ok(s) => s,
            // The embedded file is checked by the test suite; reaching this is a build defect.
            Err(e) => panic!("embedded baseline scenario is invalid: {e}"),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// What to run: runs, seed, horizon, step length and the reference policy.
    pub fn run(&self) -> &RunSpec {
        &self.run
    }

    /// Every world parameter's value or distribution, indexed by `params::P`.
    pub fn world(&self) -> &[Dist] {
        &self.world
    }

    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn correlations(&self) -> &[Correlation] {
        &self.correlations
    }

    /// The reference policy: the one every other policy is paired against.
    pub fn reference_policy(&self) -> &Policy {
        &self.policies[self.run.reference]
    }

    /// Indices of the per-run parameters that are uncertain (drawn per run), in parameter
    /// order: world parameters, then jurisdictions' attributes (`params::param_count`).
    pub fn uncertain_params(&self) -> Vec<usize> {
        let world = (0..N_PARAMS).filter(|&i| !self.world[i].is_fixed());
        let places = self.jurisdictions.iter().enumerate().flat_map(|(j, x)| {
            (0..N_JURISDICTION_ATTRS)
                .filter(move |&k| x.uncertain[k].is_some())
                .map(move |k| params::jurisdiction_param(j, k))
        });
        world.chain(places).collect()
    }

    /// Every per-run parameter's value or distribution (`params::param_count`): the world
    /// parameters, then each jurisdiction's attributes. What the runs draw.
    pub fn param_dists(&self) -> Vec<Dist> {
        let mut out = self.world.clone();
        for j in &self.jurisdictions {
            out.extend((0..N_JURISDICTION_ATTRS).map(|k| j.dist(k)));
        }
        out
    }

    /// Per-run parameter `id`'s value or distribution.
    pub fn param_dist(&self, id: usize) -> Dist {
        match params::ParamRef::of(id) {
            params::ParamRef::World(i) => self.world[i].clone(),
            params::ParamRef::Jurisdiction { j, attr } => self.jurisdictions[j].dist(attr),
        }
    }

    /// The length of the per-run parameter vector.
    pub fn param_count(&self) -> usize {
        params::param_count(self.jurisdictions.len())
    }

    /// Per-run parameter `id`'s key: `world.KEY` or `jurisdiction.NAME.ATTR`.
    pub fn param_key(&self, id: usize) -> String {
        params::param_key(id, &self.jurisdiction_names())
    }

    /// The per-run parameter a key names, if any.
    pub fn param_of_key(&self, key: &str) -> Option<usize> {
        params::param_of_key(key, &self.jurisdiction_names())
    }

    /// Every per-run parameter's key, indexed by id.
    pub fn param_keys(&self) -> Vec<String> {
        let names = self.jurisdiction_names();
        (0..self.param_count()).map(|id| params::param_key(id, &names)).collect()
    }

    pub fn jurisdiction_names(&self) -> Vec<&str> {
        self.jurisdictions.iter().map(|j| j.name.as_str()).collect()
    }

    /// The model version the scenario needs: "2" when it sets any model v2 key away from its
    /// default (a v2 world parameter not at its left-out value, a regime's `measure` or
    /// `stage_delay`, a jurisdiction attribute given as a distribution), else "1". A v1 scenario runs exactly as under model v1, so results
    /// stamped "1" are comparable with those of the v1 engine.
    pub fn model_version(&self) -> &'static str {
        let world = params::V2_PARAMS.iter().any(|&p| !params::is_left_out(p.info().key, &self.world[p as usize]));
        let regimes = self.policies.iter().any(|p| p.regimes().any(|r| r.is_v2()));
        // An uncertain jurisdiction attribute is model version 2's too: version 1 has none.
        let jurisdictions = self.jurisdictions.iter().any(|j| j.uncertain.iter().any(Option::is_some));
        if world || regimes || jurisdictions { "2" } else { "1" }
    }

    pub fn policy_index(&self, name: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name == name)
    }

    /// The same scenario with another run count (1 to [`MAX_RUNS`]).
    ///
    /// # Errors
    /// A run count outside that range.
    pub fn with_runs(mut self, runs: u64) -> Result<Scenario, ScenarioError> {
        if !(1..=MAX_RUNS).contains(&runs) {
            return Err(one_issue("run.runs", format!("must be a whole number from 1 to {MAX_RUNS}, got {runs}")));
        }
        self.run.runs = runs;
        Ok(self)
    }

    /// The same scenario with another seed (0 to [`MAX_SEED`]).
    ///
    /// # Errors
    /// A seed above [`MAX_SEED`].
    pub fn with_seed(mut self, seed: u64) -> Result<Scenario, ScenarioError> {
        if seed > MAX_SEED {
            return Err(one_issue("run.seed", format!("must be a whole number from 0 to {MAX_SEED}, got {seed}")));
        }
        self.run.seed = seed;
        Ok(self)
    }

    /// An editable copy.
    pub fn to_draft(&self) -> ScenarioDraft {
        let Scenario { name, description, run, world, jurisdictions, policies, correlations } = self.clone();
        ScenarioDraft { name, description, run, world, jurisdictions, policies, correlations }
    }

    /// The scenario with `edit` applied to a draft of it, checked again.
    ///
    /// # Errors
    /// Every rule the edited draft breaks.
    pub fn edited(&self, edit: impl FnOnce(&mut ScenarioDraft)) -> Result<Scenario, ScenarioError> {
        let mut draft = self.to_draft();
        edit(&mut draft);
        draft.check()
    }
}

impl ScenarioDraft {
    /// Every input fixed at its central value (world parameters and jurisdiction
    /// attributes), and so no correlations: one deterministic world per run but for the
    /// events. What a "no uncertainty" analysis or test starts from.
    pub fn fix_every_input(&mut self) {
        for x in &mut self.world {
            *x = Dist::Fixed(x.central());
        }
        for j in &mut self.jurisdictions {
            j.fix_attributes();
        }
        self.correlations.clear();
    }

    /// The reference policy, if the draft's index points at one.
    pub fn reference_policy(&self) -> Option<&Policy> {
        self.policies.get(self.run.reference)
    }
}

/// A draft equals a scenario when every field does: an editor's "unchanged since the save".
impl PartialEq<Scenario> for ScenarioDraft {
    fn eq(&self, s: &Scenario) -> bool {
        self.name == s.name
            && self.description == s.description
            && self.run == s.run
            && self.world == s.world
            && self.jurisdictions == s.jurisdictions
            && self.policies == s.policies
            && self.correlations == s.correlations
    }
}

impl PartialEq<ScenarioDraft> for Scenario {
    fn eq(&self, d: &ScenarioDraft) -> bool {
        d == self
    }
}

fn one_issue(path: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid {
        origin: "the scenario".into(),
        issues: vec![Issue { path: path.into(), line: None, message }],
    }
}
