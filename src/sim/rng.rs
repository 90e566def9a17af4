//! Random streams. Every run has its own streams derived from (seed, run), so a run's
//! numbers depend on neither the thread count, the batch it falls in, the total run count,
//! nor which policies are simulated beside it.

use super::simd::{ALL_LANES, F, LANES, U};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use wide::bytemuck::cast;

/// The generator used throughout: fast, small state, good statistical quality.
pub type SimRng = Xoshiro256PlusPlus;

/// Purposes of the per-run streams.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    /// World parameter draws.
    Params = 1,
    /// Leaks, event counts, migration shocks, frontier noise: a fixed number per step.
    Dynamics = 2,
    /// Misuse event landing, source and severity: one stream per (run, step), so event k of a
    /// step has the same uniforms for every policy that has at least k + 1 events.
    Events = 3,
    /// Scenario-wide draws (the score orders of Iman-Conover).
    Scenario = 4,
    /// The policy levers' per-run draws (who joins a coordinated policy, evaluation errors),
    /// a stream of its own so that scenarios without levers draw exactly as before.
    Levers = 5,
}

/// SplitMix64's constants: the finaliser's two multipliers and the seeding increment, shared
/// by the scalar and the SIMD (`LaneRng`) seeding so the two cannot drift apart.
const MIX_A: u64 = 0xbf58_476d_1ce4_e5b9;
const MIX_B: u64 = 0x94d0_49bb_1331_11eb;
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser: a bijective mix with full avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(MIX_A);
    z = (z ^ (z >> 27)).wrapping_mul(MIX_B);
    z ^ (z >> 31)
}

/// A 64-bit key for (seed, stream, run, step).
#[inline]
pub fn stream_key(seed: u64, stream: Stream, run: u64, step: u64) -> u64 {
    step_key(run_key(seed, stream, run), step)
}

/// The part of [`stream_key`] that does not depend on the step: a run's per-step streams
/// (misuse events) hash it once per run instead of once per step.
#[inline]
pub fn run_key(seed: u64, stream: Stream, run: u64) -> u64 {
    let mut h = mix64(seed ^ 0x9e37_79b9_7f4a_7c15);
    h = mix64(h ^ (stream as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
    mix64(h ^ run.wrapping_mul(0x8cb9_2ba7_2f3d_8dd7))
}

const STEP_MULTIPLIER: u64 = 0xa076_1d64_78bd_642f;

/// [`stream_key`] from its [`run_key`].
#[inline]
pub fn step_key(run_key: u64, step: u64) -> u64 {
    mix64(run_key ^ step.wrapping_mul(STEP_MULTIPLIER))
}

#[inline]
pub fn stream(seed: u64, stream: Stream, run: u64, step: u64) -> SimRng {
    SimRng::seed_from_u64(stream_key(seed, stream, run, step))
}

/// [`SimRng`] (xoshiro256++) as a plain state, so that a SIMD lane's stream can be taken
/// out of a [`LaneRng`], used by code that draws a variable number of values, and put back.
#[derive(Clone, Copy, Debug)]
pub struct Xoshiro {
    s: [u64; 4],
}

impl Xoshiro {
    /// The state `SimRng::seed_from_u64(key)` starts from (SplitMix64, as rand seeds it).
    pub fn seed_from_u64(mut key: u64) -> Xoshiro {
        let s = std::array::from_fn(|_| {
            key = key.wrapping_add(GOLDEN_GAMMA);
            mix64(key)
        });
        Xoshiro { s }
    }
}

impl rand::TryRng for Xoshiro {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        Ok(result)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}

/// [`LANES`] [`SimRng`] streams, one per SIMD lane, stepped together: lane `l` yields exactly
/// the numbers `SimRng::seed_from_u64(keys[l])` yields, one `u64` (or `f64`) per call.
#[derive(Clone, Debug)]
pub struct LaneRng {
    /// Word `k` of every lane's state.
    s: [U; 4],
}

#[inline(always)]
fn rotl(x: U, k: u64) -> U {
    (x << k) | (x >> (64 - k))
}

/// [`mix64`] in every lane.
#[inline(always)]
fn mix64_lanes(z: U) -> U {
    let z = (z ^ (z >> 30_u64)) * U::splat(MIX_A);
    let z = (z ^ (z >> 27_u64)) * U::splat(MIX_B);
    z ^ (z >> 31_u64)
}

impl LaneRng {
    pub fn seed_from_u64(keys: [u64; LANES]) -> LaneRng {
        LaneRng::seed_lanes(U::new(keys))
    }

    /// The streams `SimRng::seed_from_u64(step_key(run_keys[l], step))`: the per-(run, step)
    /// streams of every lane, seeded in SIMD (SplitMix64 as rand seeds it, lane by lane).
    #[inline]
    pub fn for_step(run_keys: U, step: u64) -> LaneRng {
        LaneRng::seed_lanes(mix64_lanes(run_keys ^ U::splat(step.wrapping_mul(STEP_MULTIPLIER))))
    }

    #[inline(always)]
    fn seed_lanes(mut key: U) -> LaneRng {
        LaneRng {
            s: std::array::from_fn(|_| {
                key += U::splat(GOLDEN_GAMMA);
                mix64_lanes(key)
            }),
        }
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> U {
        let [s0, s1, s2, s3] = self.s;
        let result = rotl(s0 + s3, 23) + s0;
        let t = s1 << 17_u64;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        let s2 = s2 ^ t;
        let s3 = rotl(s3, 45);
        self.s = [s0, s1, s2, s3];
        result
    }

    /// `rng.random::<f64>()` in every lane: the top 53 bits times 2^-53, exactly as rand
    /// converts them.
    #[inline(always)]
    pub fn next_f64(&mut self) -> F {
        const TWO_52: f64 = 4503599627370496.0;
        let x = self.next_u64();
        // (x >> 11) has 53 bits, one more than a mantissa trick converts exactly: convert
        // the top 52 and add the last bit back (all steps exact).
        let exp52 = U::splat(TWO_52.to_bits());
        let hi = cast::<U, F>((x >> 12_u64) | exp52) - F::splat(TWO_52);
        let lo = cast::<U, F>(((x >> 11_u64) & U::splat(1)) | exp52) - F::splat(TWO_52);
        (hi + hi + lo) * F::splat(1.0 / (TWO_52 * 2.0))
    }

    /// `rng.sample(Open01)` in every lane: the top 52 bits as a float in [1, 2), less
    /// 1 - 2^-53, exactly as rand converts them.
    #[inline(always)]
    pub fn next_open01(&mut self) -> F {
        let x = self.next_u64();
        cast::<U, F>((x >> 12_u64) | U::splat(1.0_f64.to_bits())) - F::splat(1.0 - f64::EPSILON / 2.0)
    }

    /// Puts back `before`'s state in the lanes where `mask` is set (all bits of a lane), so
    /// that those lanes' streams have drawn nothing since `before`.
    #[inline(always)]
    pub fn keep_where(&mut self, mask: F, before: &LaneRng) {
        let mask = cast::<F, U>(mask);
        for (s, b) in self.s.iter_mut().zip(&before.s) {
            *s = mask.bitselect(*b, *s);
        }
    }

    /// `rng.sample(StandardNormal)` in every lane, as rand_distr's ziggurat draws it: the
    /// common case (one `u64` accepted at once, about 99% of draws) in SIMD; a lane that
    /// needs more goes back to its state before the draw and runs rand_distr's sampler.
    #[inline]
    pub fn standard_normal(&mut self) -> F {
        let before = self.s;
        let bits = self.next_u64();
        let i = (bits & U::splat(0xff)).to_array().map(|i| i as usize);
        let x_i = F::new(i.map(|i| ZIG_NORM_X[i]));
        let x_next = F::new(i.map(|i| ZIG_NORM_X[i + 1]));
        // rand_distr's u in [-1, 1): 52 bits as a float in [2, 4), minus 3.
        let u = cast::<U, F>((bits >> 12_u64) | U::splat(2.0_f64.to_bits())) - F::splat(3.0);
        let x = u * x_i;
        let slow = !x.abs().simd_lt(x_next).to_bitmask() & ALL_LANES;
        if slow == 0 {
            return x;
        }
        let mut out = x.to_array();
        for (l, out) in out.iter_mut().enumerate() {
            if slow & (1 << l) != 0 {
                let mut lane = Xoshiro { s: std::array::from_fn(|k| before[k].as_array()[l]) };
                *out = rand::RngExt::sample(&mut lane, rand_distr::StandardNormal);
                self.set_lane(l, &lane);
            }
        }
        F::new(out)
    }

    /// Lane `l`'s stream as a scalar generator; [`LaneRng::set_lane`] puts it back.
    #[inline]
    pub fn lane(&self, l: usize) -> Xoshiro {
        Xoshiro { s: std::array::from_fn(|k| self.s[k].as_array()[l]) }
    }

    #[inline]
    pub fn set_lane(&mut self, l: usize, x: &Xoshiro) {
        for (k, w) in self.s.iter_mut().enumerate() {
            w.as_mut_array()[l] = x.s[k];
        }
    }
}

/// The ziggurat's x table of rand_distr 0.6's `StandardNormal` (`ziggurat_tables::ZIG_NORM_X`,
/// private there), for [`LaneRng::standard_normal`]'s fast path; the test
/// `normals_match_rand_distr` fails if it ever differs from the sampler's own.
// Digits as rand_distr writes them, so the copy can be compared with the original by eye.
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
static ZIG_NORM_X: [f64; 257] =
    [3.910757959537090045, 3.654152885361008796, 3.449278298560964462, 3.320244733839166074,
     3.224575052047029100, 3.147889289517149969, 3.083526132001233044, 3.027837791768635434,
     2.978603279880844834, 2.934366867207854224, 2.894121053612348060, 2.857138730872132548,
     2.822877396825325125, 2.790921174000785765, 2.760944005278822555, 2.732685359042827056,
     2.705933656121858100, 2.680514643284522158, 2.656283037575502437, 2.633116393630324570,
     2.610910518487548515, 2.589575986706995181, 2.569035452680536569, 2.549221550323460761,
     2.530075232158516929, 2.511544441625342294, 2.493583041269680667, 2.476149939669143318,
     2.459208374333311298, 2.442725318198956774, 2.426670984935725972, 2.411018413899685520,
     2.395743119780480601, 2.380822795170626005, 2.366237056715818632, 2.351967227377659952,
     2.337996148795031370, 2.324308018869623016, 2.310888250599850036, 2.297723348901329565,
     2.284800802722946056, 2.272108990226823888, 2.259637095172217780, 2.247375032945807760,
     2.235313384928327984, 2.223443340090905718, 2.211756642882544366, 2.200245546609647995,
     2.188902771624720689, 2.177721467738641614, 2.166695180352645966, 2.155817819875063268,
     2.145083634046203613, 2.134487182844320152, 2.124023315687815661, 2.113687150684933957,
     2.103474055713146829, 2.093379631137050279, 2.083399693996551783, 2.073530263516978778,
     2.063767547809956415, 2.054107931648864849, 2.044547965215732788, 2.035084353727808715,
     2.025713947862032960, 2.016433734904371722, 2.007240830558684852, 1.998132471356564244,
     1.989106007615571325, 1.980158896898598364, 1.971288697931769640, 1.962493064942461896,
     1.953769742382734043, 1.945116560006753925, 1.936531428273758904, 1.928012334050718257,
     1.919557336591228847, 1.911164563769282232, 1.902832208548446369, 1.894558525668710081,
     1.886341828534776388, 1.878180486290977669, 1.870072921069236838, 1.862017605397632281,
     1.854013059758148119, 1.846057850283119750, 1.838150586580728607, 1.830289919680666566,
     1.822474540091783224, 1.814703175964167636, 1.806974591348693426, 1.799287584547580199,
     1.791640986550010028, 1.784033659547276329, 1.776464495522344977, 1.768932414909077933,
     1.761436365316706665, 1.753975320315455111, 1.746548278279492994, 1.739154261283669012,
     1.731792314050707216, 1.724461502945775715, 1.717160915015540690, 1.709889657069006086,
     1.702646854797613907, 1.695431651932238548, 1.688243209434858727, 1.681080704722823338,
     1.673943330923760353, 1.666830296159286684, 1.659740822855789499, 1.652674147080648526,
     1.645629517902360339, 1.638606196773111146, 1.631603456932422036, 1.624620582830568427,
     1.617656869570534228, 1.610711622367333673, 1.603784156023583041, 1.596873794420261339,
     1.589979870021648534, 1.583101723393471438, 1.576238702733332886, 1.569390163412534456,
     1.562555467528439657, 1.555733983466554893, 1.548925085471535512, 1.542128153226347553,
     1.535342571438843118, 1.528567729435024614, 1.521803020758293101, 1.515047842773992404,
     1.508301596278571965, 1.501563685112706548, 1.494833515777718391, 1.488110497054654369,
     1.481394039625375747, 1.474683555695025516, 1.467978458615230908, 1.461278162507407830,
     1.454582081885523293, 1.447889631277669675, 1.441200224845798017, 1.434513276002946425,
     1.427828197027290358, 1.421144398672323117, 1.414461289772464658, 1.407778276843371534,
     1.401094763676202559, 1.394410150925071257, 1.387723835686884621, 1.381035211072741964,
     1.374343665770030531, 1.367648583594317957, 1.360949343030101844, 1.354245316759430606,
     1.347535871177359290, 1.340820365893152122, 1.334098153216083604, 1.327368577624624679,
     1.320630975217730096, 1.313884673146868964, 1.307128989027353860, 1.300363230327433728,
     1.293586693733517645, 1.286798664489786415, 1.279998415710333237, 1.273185207661843732,
     1.266358287014688333, 1.259516886060144225, 1.252660221891297887, 1.245787495544997903,
     1.238897891102027415, 1.231990574742445110, 1.225064693752808020, 1.218119375481726552,
     1.211153726239911244, 1.204166830140560140, 1.197157747875585931, 1.190125515422801650,
     1.183069142678760732, 1.175987612011489825, 1.168879876726833800, 1.161744859441574240,
     1.154581450355851802, 1.147388505416733873, 1.140164844363995789, 1.132909248648336975,
     1.125620459211294389, 1.118297174115062909, 1.110938046009249502, 1.103541679420268151,
     1.096106627847603487, 1.088631390649514197, 1.081114409698889389, 1.073554065787871714,
     1.065948674757506653, 1.058296483326006454, 1.050595664586207123, 1.042844313139370538,
     1.035040439828605274, 1.027181966030751292, 1.019266717460529215, 1.011292417434978441,
     1.003256679539591412, 0.995156999629943084, 0.986990747093846266, 0.978755155288937750,
     0.970447311058864615, 0.962064143217605250, 0.953602409875572654, 0.945058684462571130,
     0.936429340280896860, 0.927710533396234771, 0.918898183643734989, 0.909987953490768997,
     0.900975224455174528, 0.891855070726792376, 0.882622229578910122, 0.873271068082494550,
     0.863795545546826915, 0.854189171001560554, 0.844444954902423661, 0.834555354079518752,
     0.824512208745288633, 0.814306670128064347, 0.803929116982664893, 0.793369058833152785,
     0.782615023299588763, 0.771654424216739354, 0.760473406422083165, 0.749056662009581653,
     0.737387211425838629, 0.725446140901303549, 0.713212285182022732, 0.700661841097584448,
     0.687767892786257717, 0.674499822827436479, 0.660822574234205984, 0.646695714884388928,
     0.632072236375024632, 0.616896989996235545, 0.601104617743940417, 0.584616766093722262,
     0.567338257040473026, 0.549151702313026790, 0.529909720646495108, 0.509423329585933393,
     0.487443966121754335, 0.463634336771763245, 0.437518402186662658, 0.408389134588000746,
     0.375121332850465727, 0.335737519180459465, 0.286174591747260509, 0.215241895913273806,
     0.000000000000000000];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn normals_match_rand_distr() {
        let keys: [u64; LANES] = std::array::from_fn(|l| 3 + l as u64);
        let mut lanes = LaneRng::seed_from_u64(keys);
        let mut alone = keys.map(SimRng::seed_from_u64);
        for i in 0..400_000 {
            let got = if i % 3 == 0 { lanes.next_f64() } else { lanes.standard_normal() }.to_array();
            for (g, r) in got.iter().zip(alone.iter_mut()) {
                let want: f64 = if i % 3 == 0 { r.random() } else { r.sample(StandardNormal) };
                assert_eq!(g.to_bits(), want.to_bits(), "draw {i}");
            }
        }
    }

    #[test]
    fn step_streams_seeded_in_simd_are_each_runs_own() {
        for step in [0u64, 1, 39, 1 << 40] {
            let keys: [u64; LANES] = std::array::from_fn(|l| run_key(7, Stream::Events, l as u64 * 1_000_003));
            let mut lanes = LaneRng::for_step(U::new(keys), step);
            let mut alone = keys.map(|k| SimRng::seed_from_u64(step_key(k, step)));
            for _ in 0..64 {
                let got = lanes.next_f64().to_array();
                for (a, g) in alone.iter_mut().zip(got) {
                    assert_eq!(a.random::<f64>().to_bits(), g.to_bits());
                }
            }
        }
    }

    #[test]
    fn lanes_draw_what_each_run_draws_alone() {
        let keys: [u64; LANES] = std::array::from_fn(|l| [1, 2, 0xdead_beef, u64::MAX][l % 4] ^ (l as u64 / 4));
        let mut lanes = LaneRng::seed_from_u64(keys);
        let mut alone = keys.map(SimRng::seed_from_u64);
        for i in 0..100_000 {
            if i % 7 == 6 {
                // A variable number of draws from one lane's stream, as the normal sampler does.
                let l = i % LANES;
                let mut x = lanes.lane(l);
                let a: f64 = x.sample(StandardNormal);
                let b: f64 = alone[l].sample(StandardNormal);
                assert_eq!(a.to_bits(), b.to_bits());
                lanes.set_lane(l, &x);
            } else if i % 2 == 0 {
                let got = lanes.next_f64().to_array();
                for (g, r) in got.iter().zip(alone.iter_mut()) {
                    assert_eq!(g.to_bits(), r.random::<f64>().to_bits());
                }
            } else {
                let got = lanes.next_u64().to_array();
                for (g, r) in got.iter().zip(alone.iter_mut()) {
                    assert_eq!(*g, rand::Rng::next_u64(r));
                }
            }
        }
    }
}
