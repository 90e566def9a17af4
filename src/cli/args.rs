//! The command line's arguments (clap): every subcommand and its options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::sim::Shard;

#[derive(Debug, Parser)]
#[command(
    name = "tierlab",
    version,
    about = "Monte Carlo simulator of AI model-release policy",
    long_about = "Tierlab simulates thousands of possible worlds under release policies (open \
weights, closed/API-only, or tiered by a capability threshold) chosen per jurisdiction, and \
reports the spread of outcomes: broad, slow benefits; rare, heavy-tailed misuse harms; \
development drifting to laxer places; and open weights that can never be recalled.\n\n\
Without a subcommand it opens the desktop app (on FILE, or on the built-in baseline scenario).",
    after_help = "Examples:\n  tierlab                                   open the app on the baseline\n  \
tierlab validate scenarios/baseline.toml   check a scenario file\n  \
tierlab run scenarios/baseline.toml        summary table of every policy\n  \
tierlab run scenarios/baseline.toml --runs 100000 --out results/\n\n\
Exit codes: 0 success, 1 failure (e.g. a file that cannot be written), 2 invalid input.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Scenario file to open in the app (default: the built-in baseline).
    pub file: Option<PathBuf>,
    /// Open the app on the scenario and tab of a share link (the whole link, or its `#…` part),
    /// as "Copy link" makes them; a bad link shows why over the built-in scenario.
    #[arg(long, conflicts_with = "file")]
    pub link: Option<String>,
    /// Print the app's timing (edit to preview, edit to full result, frame time) and exit.
    #[arg(long)]
    pub bench_ui: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a scenario file and list every problem (key path, line, what is allowed).
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
    },
    /// Run a scenario and print a summary per policy; with --out, write the data files.
    Run(RunArgs),
    /// Sweep one regime parameter of one policy over a grid (common random numbers), or
    /// with --param2 a world parameter too (a 2-D sweep).
    Sweep(SweepArgs),
    /// Rank which uncertain parameters drive an outcome (Spearman, PRCC, tornado).
    Sensitivity(SensitivityArgs),
    /// Decision support on paired worlds: when a policy fails (scenario discovery, PRIM: rules
    /// on the uncertain parameters), every policy's regret, and the value of information.
    #[command(visible_alias = "discover")]
    Decide(DecideArgs),
    /// Run a scenario, a threshold sweep, a 2-D sweep and a sensitivity analysis, and write
    /// figures (SVG/PNG with JSON sidecars), report.html and report.md.
    Report(ReportArgs),
    /// Write single figures of a scenario's results (running only the analyses they need).
    Figures(FiguresArgs),
    /// Combine the partial results of a command run with --shard K/N (on one machine or a
    /// cluster) into exactly the files the command writes without --shard.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML). Use "baseline" for the built-in baseline scenario.
    pub file: PathBuf,
    #[command(flatten)]
    pub common: CommonRunArgs,
    /// Write runs.csv, jurisdictions.csv, params.csv, series.csv and summary.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The --out directories of every shard of one command run with --shard K/N, in any
    /// order.
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// Write the merged files here (what the command would have written without --shard).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Options shared by commands that run a scenario.
#[derive(Debug, Args, Clone)]
pub struct CommonRunArgs {
    /// Monte Carlo runs (worlds) per policy (per grid point in a sweep); overrides [run] runs.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub runs: Option<u64>,
    /// Random seed (0 to 9223372036854775807); overrides [run] seed. Same seed and file give
    /// identical results.
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=crate::model::scenario::MAX_SEED))]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Run only shard K of N (1 <= K <= N: a contiguous range of run numbers) and write a
    /// partial result to --out; `tierlab merge` combines the shards into the files one
    /// machine would have written, byte for byte.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML), or "baseline".
    pub file: PathBuf,
    /// The policy whose tiered regimes are swept (default: the first policy other than the reference with a tiered regime, else the reference if it has one).
    #[arg(long)]
    pub policy: Option<String>,
    /// open_below (moves gated_below along, keeping their gap), gated_below, or drift.
    #[arg(long, default_value = "open_below")]
    pub param: String,
    /// First grid value (log10 FLOP for thresholds, OOM/yr for drift).
    #[arg(long, allow_hyphen_values = true)]
    pub from: f64,
    /// Last grid value.
    #[arg(long, allow_hyphen_values = true)]
    pub to: f64,
    /// Grid points (2..=201).
    #[arg(long, default_value_t = 25)]
    pub steps: usize,
    /// A world parameter for a 2-D sweep, as world.KEY (e.g. world.hazard_threshold).
    #[arg(long)]
    pub param2: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub from2: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    pub to2: Option<f64>,
    #[arg(long)]
    pub steps2: Option<usize>,
    /// Cap on P(catastrophe) for the best-threshold search.
    #[arg(long)]
    pub max_p_catastrophe: Option<f64>,
    /// Cap on CVaR95 of harm ($B) for the best-threshold search.
    #[arg(long)]
    pub max_cvar95: Option<f64>,
    #[command(flatten)]
    pub common: CommonRunArgs,
    /// Write sweep.csv (or sweep2d.csv) and sweep.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML), or "baseline".
    pub file: PathBuf,
    /// benefit, harm, net, net_diff (net minus the baseline policy's) or catastrophe.
    #[arg(long, default_value = "net")]
    pub output: String,
    /// The policy to analyse (default: the scenario's baseline policy).
    #[arg(long)]
    pub policy: Option<String>,
    #[command(flatten)]
    pub common: CommonRunArgs,
    /// Write sensitivity.csv and sensitivity.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The scenario file (TOML), or "baseline".
    pub file: PathBuf,
    /// The policy whose outcome event is explained.
    #[arg(long)]
    pub policy: String,
    /// net-below (the policy's net below --against POLICY's in the same world, or below
    /// --level $B), catastrophe, or harm-above (harm above --level $B).
    #[arg(long)]
    pub event: String,
    /// The policy to compare with, for net-below.
    #[arg(long)]
    pub against: Option<String>,
    /// The harm level ($B) for net-below or harm-above (`--threshold` is the old spelling).
    #[arg(long, alias = "threshold", allow_hyphen_values = true)]
    pub level: Option<f64>,
    /// The box to report, by its number on the peeling trajectory (default: the box holding the
    /// most event worlds beyond what the overall event rate would put in a box of its size).
    #[arg(long = "box")]
    pub r#box: Option<usize>,
    /// Satisficing floor ($B): report each policy's share of worlds with net at least this.
    #[arg(long, allow_hyphen_values = true)]
    pub floor: Option<f64>,
    #[command(flatten)]
    pub common: CommonRunArgs,
    /// Write discovery.csv, discovery_box.csv, robustness.csv, value_of_information.csv and
    /// decision.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Which analyses `report` and `figures` run besides the simulation.
#[derive(Debug, Args, Clone, Default)]
pub struct AnalysisArgs {
    /// Skip the threshold sweep, the 2-D sweep and the sensitivity analysis.
    #[arg(long, conflicts_with_all = ["policy", "param", "from", "to", "steps", "max_p_catastrophe", "max_cvar95"])]
    pub no_analyses: bool,
    /// The policy the analyses are about (default: the first policy other than the baseline
    /// with a tiered regime).
    #[arg(long)]
    pub policy: Option<String>,
    /// The swept regime parameter: open_below (default), gated_below or drift.
    #[arg(long)]
    pub param: Option<String>,
    /// First grid value (default: the policy's value minus 2 decades; drift: minus 0.3 OOM/yr,
    /// at least 0).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<f64>,
    /// Last grid value (default: the policy's value plus 2 decades; drift: plus 0.3 OOM/yr).
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<f64>,
    /// Grid points of the threshold sweep (2..=201, default 25; the heat map uses at most 13).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Cap on P(catastrophe) for the best threshold (default: the reference policy's; no cap when the analysed policy is the reference policy).
    #[arg(long)]
    pub max_p_catastrophe: Option<f64>,
    /// Cap on CVaR95 of harm ($B) for the best threshold.
    #[arg(long)]
    pub max_cvar95: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The scenario file (TOML), or "baseline".
    pub file: PathBuf,
    #[command(flatten)]
    pub common: CommonRunArgs,
    #[command(flatten)]
    pub analyses: AnalysisArgs,
    /// Output directory: figures/, report.html, report.md.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Figure formats, comma separated: svg, png.
    #[arg(long, default_value = "svg,png", value_delimiter = ',')]
    pub format: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// The scenario file (TOML), or "baseline".
    pub file: PathBuf,
    #[command(flatten)]
    pub common: CommonRunArgs,
    #[command(flatten)]
    pub analyses: AnalysisArgs,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only these figures (by name); default all.
    #[arg(long, num_args = 1..)]
    pub only: Vec<String>,
    /// Figure formats, comma separated: svg, png.
    #[arg(long, default_value = "svg,png", value_delimiter = ',')]
    pub format: Vec<String>,
}
