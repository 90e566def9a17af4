//! Uncertain jurisdiction attributes (docs/SCENARIO.md, `[[jurisdiction]]`): a distribution in
//! the world parameters' syntax, checked against the attribute's range, drawn per run after
//! the world parameters and keyed `jurisdiction.NAME.ATTR` in every output and analysis; a
//! scenario whose attributes are all fixed gives exactly the outputs it gave before.

use sha2::{Digest, Sha256};
use tierlab::analysis::sensitivity::{Output, SensitivitySpec};
use tierlab::model::edit::{Saved, update_text};
use tierlab::model::params::{attr, jurisdiction_param};
use tierlab::model::{Dist, Scenario};
use tierlab::sim::{Control, Record};

use crate::support::{BASELINE, BASELINE_V1, PRESETS_V1, bin, parse_ok, read, sim, temp_toml};

/// Model v1's baseline, whose jurisdiction attributes are all fixed (the built-in baseline
/// draws every `api_access`), with the US's `api_access` (the line `api_access = 0.85` of its
/// first jurisdiction) replaced by `value`: the one uncertain attribute.
fn us_api_access(value: &str) -> String {
    let at = BASELINE_V1.find("\napi_access = 0.85").expect("the US's api_access line");
    let end = at + 1 + BASELINE_V1[at + 1..].find('\n').expect("its end");
    format!("{}\napi_access = {value}{}", &BASELINE_V1[..at], &BASELINE_V1[end..])
}

const UNCERTAIN_US: &str = "{ dist = \"pert\", min = 0.7, mode = 0.85, max = 0.95 }";

/// SHA-256 of runs.csv, jurisdictions.csv, params.csv and series.csv (in that order) of
/// `tierlab run PRESET --runs 1000`, as the code before jurisdiction attributes could be
/// uncertain wrote them (commit 7a6b5d4), with the SHA-256 of the preset's text then. Those
/// texts are model version 1's, kept in tests/data (`baseline_v1.toml` and `presets_v1/`)
/// now that the presets in scenarios/ are version 2.
const PINNED: [(&str, &str, &str); 7] = [
    (
        "baseline.toml",
        "fd50d161f09536901d207c40f3ac2cfa50e181876eae0debb22e993e56e425ee",
        "3b19c5860a0c6c6f82da8699e1298068451bb4de9a3541a3daa15d5607479d0d",
    ),
    (
        "heavy_tail.toml",
        "fcdb27f22224d4e36faa12a871f7a53859dd5c11442728a7af0ac9e19229f1d2",
        "c98d2cbe1cd43105b41ea4c0a003d15668b8747401b5402f9768ff357becf3c1",
    ),
    (
        "irreversibility.toml",
        "85b3a46a5d5a3c7031a65650290e0732eaabe613d52011202c8df74bbc992fe0",
        "4f4346da33fbc8adf107f9a74ac97d742d0a93cf389929a88a68a7db40915180",
    ),
    (
        "levers.toml",
        "7f4cf1246c45aed8399562dafe77ff34ec4388938295b94a43386eb5fcf658a0",
        "f0a4549735dc05892b1bc6ef8df2916b4b0ae230952453ce75921ef228d653bf",
    ),
    (
        "moving_threshold.toml",
        "3c637027c4ddb3e647af844e91851d472eb96bd35ca3b0eaaee084968a8a5bba",
        "6c281cffbcb9d0e96414cc8a44537df69b60a030050e8d9b0e422526642833e8",
    ),
    (
        "strong_safeguards.toml",
        "879cde56abb57caf2b4c8b26bd443becdc75371acb6c325648dd52e21cbb30ae",
        "6838773d47e4f0abbca60f37627cdeba28b4710334e0b0794029363f132b1e2d",
    ),
    (
        "unilateral_leakage.toml",
        "5f55f9b1d37488286f4c4b13e4ce8da6c0aa3042b28cb608fffaacb44683c118",
        "ca9072511b7cbf57f437f91ac3f61de4f8f8cc0ce4980db2653d3149d48634fc",
    ),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every model-v1 preset (model v1's baseline and the six v1 presets), its attributes all
/// fixed, writes the same files, byte for byte, as the code before attributes could be
/// uncertain (the jurisdictions' fixed attributes draw nothing, so every world draw and every
/// run is as it was). The texts are the ones pinned, and every one is compared.
#[test]
fn fixed_attributes_give_the_earlier_codes_outputs_on_every_v1_preset() {
    let dir = tempfile::tempdir().expect("dir");
    let mut checked = 0;
    for (name, text) in std::iter::once(("baseline.toml", BASELINE_V1)).chain(PRESETS_V1) {
        let (_, text_sha, files_sha) = PINNED.iter().find(|(n, ..)| *n == name).expect("a pin for every preset");
        assert_eq!(hex(&Sha256::digest(text.as_bytes())), *text_sha, "{name}: the v1 text is the one pinned");
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        let out = dir.path().join(format!("{name}.out"));
        let o = bin().args(["run", "--runs", "1000", "--quiet", "--out"]).arg(&out).arg(&file).output().expect("run");
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let mut h = Sha256::new();
        for f in ["runs.csv", "jurisdictions.csv", "params.csv", "series.csv"] {
            h.update(read(&out.join(f)).as_bytes());
        }
        assert_eq!(hex(&h.finalize()), *files_sha, "{name}: the outputs differ from the earlier code's");
        checked += 1;
    }
    assert_eq!(checked, PINNED.len(), "every pinned v1 preset compared");
}

#[test]
fn an_uncertain_attribute_parses_writes_back_and_keeps_comments_when_edited() {
    let s = parse_ok(&us_api_access(UNCERTAIN_US));
    let us = &s.jurisdictions()[0];
    assert_eq!(us.uncertain[attr::API_ACCESS], Some(Dist::Pert { min: 0.7, mode: 0.85, max: 0.95 }));
    assert_eq!(s.uncertain_params().last(), Some(&jurisdiction_param(0, attr::API_ACCESS)));
    assert_eq!(s.param_key(jurisdiction_param(0, attr::API_ACCESS)), "jurisdiction.US.api_access");
    // The canonical text reads back as the same scenario.
    let written = s.to_toml();
    assert!(written.contains("api_access = { dist = \"pert\", min = 0.7, mode = 0.85, max = 0.95 }"), "{written}");
    assert_eq!(parse_ok(&written), s);
    // An edit saved into the user's text keeps its comments and reads back as the edit.
    let before = Scenario::built_in();
    let after = before
        .edited(|d| d.jurisdictions[1].set_dist(attr::DEFENSE_RATE, Dist::Uniform { min: 0.05, max: 0.2 }))
        .expect("valid edit");
    let (text, saved) = update_text(BASELINE, &before, &after);
    assert_eq!(saved, Saved::Kept);
    let comments = |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).count();
    assert_eq!(comments(&text), comments(BASELINE), "every comment line kept");
    assert!(text.contains("defense_rate = { dist = \"uniform\", min = 0.05, max = 0.2 }"), "{text}");
    assert_eq!(parse_ok(&text), after);
    // And back to a number.
    let fixed = after.edited(|d| d.jurisdictions[1].set_dist(attr::DEFENSE_RATE, Dist::Fixed(0.1))).unwrap();
    assert_eq!(fixed, before);
}

fn errors(text: &str) -> String {
    match Scenario::parse(text, "t.toml") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_checker_refuses_a_distribution_outside_the_range_and_a_distribution_for_share0() {
    let e = errors(&us_api_access("{ dist = \"uniform\", min = 0.8, max = 1.2 }"));
    assert!(
        e.contains("jurisdiction \"US\": api_access: a uniform distribution here can take values from 0.8 to 1.2, but the parameter must be a number in [0, 1]"),
        "{e}"
    );
    let line = BASELINE_V1[..BASELINE_V1.find("\napi_access = 0.85").unwrap()].lines().count() + 1;
    assert!(e.contains(&format!("t.toml:{line}:")), "line {line}: {e}");
    // A normal needs truncating for a rate that must be >= 0.
    let text = BASELINE.replacen(
        "\ndefense_rate = 0.1\n",
        "\ndefense_rate = { dist = \"normal\", mean = 0.1, sd = 0.05 }\n",
        1,
    );
    assert_ne!(text, BASELINE, "the baseline writes defense_rate = 0.1");
    let e = errors(&text);
    assert!(e.contains(": defense_rate: a normal distribution here can take values from -inf to inf"), "{e}");
    // The attributes that sum to 1 stay numbers, and the message says why.
    let at = BASELINE.find("\nshare0 = ").unwrap();
    let end = at + 1 + BASELINE[at + 1..].find('\n').unwrap();
    let text =
        format!("{}\nshare0 = {{ dist = \"uniform\", min = 0.6, max = 0.8 }}{}", &BASELINE[..at], &BASELINE[end..]);
    let e = errors(&text);
    assert!(e.contains("jurisdiction \"US\": share0: must be a fixed number"), "{e}");
    assert!(e.contains("must sum to 1"), "{e}");
    // A correlation may name an attribute, but not a fixed one or one that does not exist.
    let with = |a: &str, b: &str| {
        format!("{}\n[[correlation]]\na = \"{a}\"\nb = \"{b}\"\nrho = 0.5\n", us_api_access(UNCERTAIN_US))
    };
    parse_ok(&with("world.growth", "jurisdiction.US.api_access"));
    let e = errors(&with("world.growth", "jurisdiction.EU.api_access"));
    assert!(e.contains("jurisdiction.EU.api_access is a fixed number"), "{e}");
    let e = errors(&with("world.growth", "jurisdiction.Mars.api_access"));
    assert!(e.contains("for a jurisdiction of the scenario"), "{e}");
    let e = errors(&with("world.growth", "jurisdiction.US.api_acess"));
    assert!(e.contains("is not a jurisdiction attribute"), "{e}");
}

#[test]
fn params_csv_holds_the_attributes_draws_within_their_support_under_its_key() {
    let f = temp_toml(us_api_access(UNCERTAIN_US).as_bytes());
    let dir = tempfile::tempdir().expect("dir");
    let o =
        bin().args(["run", "--runs", "300", "--quiet", "--out"]).arg(dir.path()).arg(f.path()).output().expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = read(&dir.path().join("params.csv"));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (pc, vc) =
        (header.iter().position(|&h| h == "param").unwrap(), header.iter().position(|&h| h == "value").unwrap());
    let draws: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[pc] == "jurisdiction.US.api_access")
        .map(|c| c[vc].parse().unwrap())
        .collect();
    assert_eq!(draws.len(), 300);
    assert!(draws.iter().all(|x| (0.7..=0.95).contains(x)), "{draws:?}");
    let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|x| x.to_bits()).collect();
    assert!(distinct.len() > 290, "drawn per run");
}

/// One jurisdiction (everything sums to 1 trivially), the world's parameters fixed at their
/// central values, `api_access` as given; on model v1's baseline, where a closed world's
/// benefit comes through APIs alone (v2's distillation would carry the frontier to the
/// public pool regardless of API access).
fn one_place(api_access: Dist) -> Scenario {
    Scenario::parse(BASELINE_V1, "baseline_v1.toml")
        .expect("model v1's baseline")
        .edited(|d| {
            d.run.runs = 2000;
            d.jurisdictions.truncate(1);
            let j = &mut d.jurisdictions[0];
            (j.share0, j.host, j.weight, j.exposure) = (1.0, 1.0, 1.0, 1.0);
            j.set_dist(attr::API_ACCESS, api_access);
            for p in &mut d.policies {
                p.overrides.retain(|(j, _)| *j < 1);
            }
            for w in &mut d.world {
                *w = Dist::Fixed(w.central());
            }
            d.correlations.clear();
        })
        .expect("valid")
}

#[test]
fn a_higher_api_access_raises_a_closed_policys_benefit_and_sensitivity_ranks_it() {
    let closed = |s: &Scenario| s.policy_index("Global closed").expect("policy");
    let mean_benefit = |s: &Scenario| {
        let r = sim(s, Record::default());
        let c = r.column(closed(s), |o| o.benefit);
        c.iter().sum::<f64>() / c.len() as f64
    };
    let low = one_place(Dist::Uniform { min: 0.1, max: 0.3 });
    let high = one_place(Dist::Uniform { min: 0.7, max: 0.9 });
    let (bl, bh) = (mean_benefit(&low), mean_benefit(&high));
    assert!(bh > bl * 1.2, "closed benefit: api_access ~0.2 gives {bl}, ~0.8 gives {bh}");
    // The only uncertain thing: sensitivity ranks it first, with a strong positive Spearman.
    let s = one_place(Dist::Uniform { min: 0.1, max: 0.9 });
    assert_eq!(s.uncertain_params(), vec![jurisdiction_param(0, attr::API_ACCESS)]);
    let spec = SensitivitySpec::new(closed(&s), Output::Benefit);
    let sens =
        tierlab::study::analyses::sensitivity(&s.with_runs(500).unwrap(), &spec, &Control::new()).expect("sensitivity");
    assert_eq!(sens.params.len(), 1);
    let p = &sens.params[0];
    assert_eq!(p.param, "jurisdiction.US.api_access");
    assert!(p.spearman > 0.5, "{p:?}");
    assert!(p.p10 > 0.1 && p.p90 < 0.9 && p.p10 < p.p90, "{p:?}");
}

#[test]
fn an_attribute_correlates_with_a_world_parameter() {
    let text = format!(
        "{}\n[[correlation]]\na = \"world.growth\"\nb = \"jurisdiction.US.api_access\"\nrho = 0.7\n",
        us_api_access(UNCERTAIN_US)
    );
    let s = parse_ok(&text).with_runs(4096).unwrap();
    assert_eq!(parse_ok(&s.to_toml()), s, "the correlation writes back");
    let r = sim(&s, Record { params: true, ..Record::default() });
    let k = r.param_ids.len();
    let col = |id: usize| -> Vec<f64> {
        let i = r.param_ids.iter().position(|&x| x == id).expect("recorded");
        r.params.iter().skip(i).step_by(k).copied().collect()
    };
    let ranks = |x: &[f64]| {
        let mut o: Vec<usize> = (0..x.len()).collect();
        o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut r = vec![0.0; x.len()];
        for (rank, &i) in o.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (a, b) =
        (ranks(&col(tierlab::model::P::growth as usize)), ranks(&col(jurisdiction_param(0, attr::API_ACCESS))));
    let n = a.len() as f64;
    let m = (n - 1.0) / 2.0;
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - m) * (y - m)).sum::<f64>();
    let var: f64 = a.iter().map(|x| (x - m) * (x - m)).sum::<f64>();
    let rho = cov / var;
    assert!((rho - 0.7).abs() < 0.05, "rank correlation {rho}, target 0.7");
}
