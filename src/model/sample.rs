//! The samplers a simulation draws its parameters with: faithful copies of rand_distr
//! 0.6.0's (`src/normal.rs` `StandardNormal` and `Normal`, `src/utils.rs` `ziggurat`,
//! `src/ziggurat_tables.rs`, `src/beta.rs` `Beta` (Cheng's algorithms BB and BC),
//! `src/pert.rs` `Pert`, `src/triangular.rs` `Triangular`; MIT or Apache-2.0, as this
//! project), step for step and on the same random numbers, so a seed draws exactly what it
//! drew with rand_distr. Why copies: rand_distr takes its logarithms and exponentials from
//! the platform (std's `f64::ln` and `f64::exp`: the C library natively, Rust's port of
//! FreeBSD's libm in the browser), whose last bits differ between platforms, so no crate can
//! give the same bytes everywhere. These call `math::libm`'s copies of glibc's `log` and
//! `exp` instead, which give this machine's glibc bits on every platform. The tests draw
//! with both, rand_distr's and these, on millions of seeds and shapes, and compare the bits.

// The negated comparisons are rand_distr's, kept as written: they decide NaN the same way.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// The digits of the copied constants are the originals'.
#![allow(clippy::excessive_precision)]

use rand::distr::{Open01, StandardUniform};
use rand::{Rng, RngExt};

use crate::math::libm::{exp_f64 as exp, ln_f64 as ln};

/// rand_distr's `StandardNormal`: the ziggurat method (Marsaglia and Tsang), symmetric.
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    loop {
        // 8 bits of the draw for the layer, 52 for a float in [2, 4), minus 3: [-1, 1).
        let bits = rng.next_u64();
        let i = bits as usize & 0xff;
        let u = f64::from_bits((bits >> 12) | (1024_u64 << 52)) - 3.0;
        let x = u * ZIG_NORM_X[i];
        if x.abs() < ZIG_NORM_X[i + 1] {
            return x;
        }
        if i == 0 {
            return normal_tail(rng, u);
        }
        if ZIG_NORM_F[i + 1] + (ZIG_NORM_F[i] - ZIG_NORM_F[i + 1]) * rng.random::<f64>() < exp(-x * x / 2.0) {
            return x;
        }
    }
}

/// The ziggurat's base layer: a draw from the tail beyond `ZIG_NORM_R`, on `u`'s side.
#[cold]
fn normal_tail<R: Rng + ?Sized>(rng: &mut R, u: f64) -> f64 {
    let mut x = 1.0f64;
    let mut y = 0.0f64;
    while -2.0 * y < x * x {
        let x_: f64 = rng.sample(Open01);
        let y_: f64 = rng.sample(Open01);
        x = ln(x_) / ZIG_NORM_R;
        y = ln(y_);
    }
    if u < 0.0 { x - ZIG_NORM_R } else { ZIG_NORM_R - x }
}

/// rand_distr's `Normal`: `mean + std_dev * z`.
#[derive(Clone, Copy, Debug)]
pub struct Normal {
    mean: f64,
    std_dev: f64,
}

impl Normal {
    pub fn new(mean: f64, std_dev: f64) -> Result<Normal, String> {
        if !std_dev.is_finite() {
            return Err("std_dev is not finite in (log)normal distribution".into());
        }
        Ok(Normal { mean, std_dev })
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    pub fn std_dev(&self) -> f64 {
        self.std_dev
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.mean + self.std_dev * standard_normal(rng)
    }
}

/// rand_distr's `Beta`: Cheng's algorithm BB when the smaller shape is above 1, else BC.
#[derive(Clone, Copy, Debug)]
pub struct Beta {
    a: f64,
    b: f64,
    switched_params: bool,
    algorithm: BetaAlgorithm,
}

#[derive(Clone, Copy, Debug)]
enum BetaAlgorithm {
    BB { alpha: f64, beta: f64, gamma: f64 },
    BC { alpha: f64, beta: f64, kappa1: f64, kappa2: f64 },
}

impl Beta {
    pub fn new(alpha: f64, beta: f64) -> Result<Beta, String> {
        if !(alpha > 0.0) {
            return Err("alpha is not positive in beta distribution".into());
        }
        if !(beta > 0.0) {
            return Err("beta is not positive in beta distribution".into());
        }
        let (a0, b0) = (alpha, beta);
        let (a, b, switched_params) = if a0 < b0 { (a0, b0, false) } else { (b0, a0, true) };
        if a > 1.0 {
            // Algorithm BB.
            let alpha = a + b;
            let beta = ((alpha - 2.0) / (2.0 * a * b - alpha)).sqrt();
            let gamma = a + 1.0 / beta;
            Ok(Beta { a, b, switched_params, algorithm: BetaAlgorithm::BB { alpha, beta, gamma } })
        } else {
            // Algorithm BC; here `a` is the larger shape.
            let (a, b, switched_params) = (b, a, !switched_params);
            let alpha = a + b;
            let beta = 1.0 / b;
            let delta = 1.0 + a - b;
            let kappa1 = delta * (1. / 18. / 4. + 3. / 18. / 4. * b) / (a * beta - 14. / 18.);
            let kappa2 = 0.25 + (0.5 + 0.25 / delta) * b;
            Ok(Beta { a, b, switched_params, algorithm: BetaAlgorithm::BC { alpha, beta, kappa1, kappa2 } })
        }
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let mut w;
        match self.algorithm {
            BetaAlgorithm::BB { alpha, beta, gamma } => loop {
                // 1.
                let u1: f64 = rng.sample(Open01);
                let u2: f64 = rng.sample(Open01);
                let v = beta * ln(u1 / (1.0 - u1));
                w = self.a * exp(v);
                let z = u1 * u1 * u2;
                let r = gamma * v - ln(4.0);
                let s = self.a + r - w;
                // 2.
                if s + 1.0 + ln(5.0) >= 5.0 * z {
                    break;
                }
                // 3.
                let t = ln(z);
                if s >= t {
                    break;
                }
                // 4.
                if !(r + alpha * ln(alpha / (self.b + w)) < t) {
                    break;
                }
            },
            BetaAlgorithm::BC { alpha, beta, kappa1, kappa2 } => loop {
                let z;
                // 1.
                let u1: f64 = rng.sample(Open01);
                let u2: f64 = rng.sample(Open01);
                if u1 < 0.5 {
                    // 2.
                    let y = u1 * u2;
                    z = u1 * y;
                    if 0.25 * u2 + z - y >= kappa1 {
                        continue;
                    }
                } else {
                    // 3.
                    z = u1 * u1 * u2;
                    if z <= 0.25 {
                        let v = beta * ln(u1 / (1.0 - u1));
                        w = self.a * exp(v);
                        break;
                    }
                    // 4.
                    if z >= kappa2 {
                        continue;
                    }
                }
                // 5.
                let v = beta * ln(u1 / (1.0 - u1));
                w = self.a * exp(v);
                if !(alpha * (ln(alpha / (self.b + w)) + v) - ln(4.0) < ln(z)) {
                    break;
                }
            },
        }
        // 5. for BB, 6. for BC.
        if !self.switched_params {
            if w == f64::INFINITY {
                return 1.0;
            }
            w / (self.b + w)
        } else {
            self.b / (self.b + w)
        }
    }
}

/// rand_distr's `Pert` with its default shape 4 (`Pert::new(min, max).with_mode(mode)`): a
/// beta on `[min, max]`.
#[derive(Clone, Copy, Debug)]
pub struct Pert {
    min: f64,
    range: f64,
    beta: Beta,
}

impl Pert {
    pub fn new(min: f64, max: f64, mode: f64) -> Result<Pert, String> {
        if !(max > min) {
            return Err("requirement min < max is not met in PERT distribution".into());
        }
        if !(mode >= min && max >= mode) {
            return Err("mode is outside [min, max] in PERT distribution".into());
        }
        let shape = 4.0;
        let range = max - min;
        let v = 1.0 + shape * (mode - min) / range;
        let w = 1.0 + shape * (max - mode) / range;
        let beta = Beta::new(v, w).map_err(|_| "requirement min < max is not met in PERT distribution".to_string())?;
        Ok(Pert { min, range, beta })
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.beta.sample(rng) * self.range + self.min
    }
}

/// rand_distr's `Triangular`: one uniform, inverted (a square root).
#[derive(Clone, Copy, Debug)]
pub struct Triangular {
    min: f64,
    max: f64,
    mode: f64,
}

impl Triangular {
    pub fn new(min: f64, max: f64, mode: f64) -> Result<Triangular, String> {
        if !(max >= min) {
            return Err("requirement min <= max is not met in triangular distribution".into());
        }
        if !(mode >= min && max >= mode) {
            return Err("mode is outside [min, max] in triangular distribution".into());
        }
        Ok(Triangular { min, max, mode })
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let f: f64 = rng.sample(StandardUniform);
        let diff_mode_min = self.mode - self.min;
        let range = self.max - self.min;
        let f_range = f * range;
        if f_range < diff_mode_min {
            self.min + (f_range * diff_mode_min).sqrt()
        } else {
            self.max - ((range - f_range) * (self.max - self.mode)).sqrt()
        }
    }
}

/// The standard normal's quantile at `p` in [0, 1]: statrs 0.19.1's
/// `Normal::new(0.0, 1.0).inverse_cdf(p)` (`src/distribution/normal.rs`, with `erfc_inv`
/// and `erf_inv_impl` of `src/function/erf.rs` and `polynomial` of
/// `src/function/evaluate.rs`; MIT), copied with its coefficients so that its logarithm is
/// glibc's here too (statrs takes the platform's). The Iman-Conover scores are these.
pub fn normal_quantile(p: f64) -> f64 {
    assert!((0.0..=1.0).contains(&p), "x must be in [0, 1]");
    0.0 - (1.0 * std::f64::consts::SQRT_2 * erfc_inv(2.0 * p))
}

fn erfc_inv(x: f64) -> f64 {
    if x <= 0.0 {
        f64::INFINITY
    } else if x >= 2.0 {
        f64::NEG_INFINITY
    } else if x > 1.0 {
        erf_inv_impl(-1.0 + x, 2.0 - x, -1.0)
    } else {
        erf_inv_impl(1.0 - x, x, 1.0)
    }
}

fn polynomial(z: f64, coeff: &[f64]) -> f64 {
    coeff.iter().rev().fold(0_f64, |acc, val| acc * z + val)
}

fn erf_inv_impl(p: f64, q: f64, s: f64) -> f64 {
    let result = if p <= 0.5 {
        let y = 0.0891314744949340820313;
        let g = p * (p + 10.0);
        let r = polynomial(p, ERF_INV_IMPL_AN) / polynomial(p, ERF_INV_IMPL_AD);
        g * y + g * r
    } else if q >= 0.25 {
        let y = 2.249481201171875;
        let g = (-2.0 * ln(q)).sqrt();
        let xs = q - 0.25;
        let r = polynomial(xs, ERF_INV_IMPL_BN) / polynomial(xs, ERF_INV_IMPL_BD);
        g / (y + r)
    } else {
        let x = (-ln(q)).sqrt();
        if x < 3.0 {
            let y = 0.807220458984375;
            let xs = x - 1.125;
            let r = polynomial(xs, ERF_INV_IMPL_CN) / polynomial(xs, ERF_INV_IMPL_CD);
            y * x + r * x
        } else if x < 6.0 {
            let y = 0.93995571136474609375;
            let xs = x - 3.0;
            let r = polynomial(xs, ERF_INV_IMPL_DN) / polynomial(xs, ERF_INV_IMPL_DD);
            y * x + r * x
        } else if x < 18.0 {
            let y = 0.98362827301025390625;
            let xs = x - 6.0;
            let r = polynomial(xs, ERF_INV_IMPL_EN) / polynomial(xs, ERF_INV_IMPL_ED);
            y * x + r * x
        } else if x < 44.0 {
            let y = 0.99714565277099609375;
            let xs = x - 18.0;
            let r = polynomial(xs, ERF_INV_IMPL_FN) / polynomial(xs, ERF_INV_IMPL_FD);
            y * x + r * x
        } else {
            let y = 0.99941349029541015625;
            let xs = x - 44.0;
            let r = polynomial(xs, ERF_INV_IMPL_GN) / polynomial(xs, ERF_INV_IMPL_GD);
            y * x + r * x
        }
    };
    s * result
}

#[rustfmt::skip]
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
mod erf_inv_coefficients {
pub(super) const ERF_INV_IMPL_AN: &[f64] = &[
    -0.000508781949658280665617,
    -0.00836874819741736770379,
    0.0334806625409744615033,
    -0.0126926147662974029034,
    -0.0365637971411762664006,
    0.0219878681111168899165,
    0.00822687874676915743155,
    -0.00538772965071242932965,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0, 0.5].
pub(super) const ERF_INV_IMPL_AD: &[f64] = &[
    1.0,
    -0.970005043303290640362,
    -1.56574558234175846809,
    1.56221558398423026363,
    0.662328840472002992063,
    -0.71228902341542847553,
    -0.0527396382340099713954,
    0.0795283687341571680018,
    -0.00233393759374190016776,
    0.000886216390456424707504,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.5, 0.75].
pub(super) const ERF_INV_IMPL_BN: &[f64] = &[
    -0.202433508355938759655,
    0.105264680699391713268,
    8.37050328343119927838,
    17.6447298408374015486,
    -18.8510648058714251895,
    -44.6382324441786960818,
    17.445385985570866523,
    21.1294655448340526258,
    -3.67192254707729348546,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.5, 0.75].
pub(super) const ERF_INV_IMPL_BD: &[f64] = &[
    1.0,
    6.24264124854247537712,
    3.9713437953343869095,
    -28.6608180499800029974,
    -20.1432634680485188801,
    48.5609213108739935468,
    10.8268667355460159008,
    -22.6436933413139721736,
    1.72114765761200282724,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.75, 1] with x less than 3.
pub(super) const ERF_INV_IMPL_CN: &[f64] = &[
    -0.131102781679951906451,
    -0.163794047193317060787,
    0.117030156341995252019,
    0.387079738972604337464,
    0.337785538912035898924,
    0.142869534408157156766,
    0.0290157910005329060432,
    0.00214558995388805277169,
    -0.679465575181126350155e-6,
    0.285225331782217055858e-7,
    -0.681149956853776992068e-9,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.75, 1] with x less than 3.
pub(super) const ERF_INV_IMPL_CD: &[f64] = &[
    1.0,
    3.46625407242567245975,
    5.38168345707006855425,
    4.77846592945843778382,
    2.59301921623620271374,
    0.848854343457902036425,
    0.152264338295331783612,
    0.01105924229346489121,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 3 and 6.
pub(super) const ERF_INV_IMPL_DN: &[f64] = &[
    -0.0350353787183177984712,
    -0.00222426529213447927281,
    0.0185573306514231072324,
    0.00950804701325919603619,
    0.00187123492819559223345,
    0.000157544617424960554631,
    0.460469890584317994083e-5,
    -0.230404776911882601748e-9,
    0.266339227425782031962e-11,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 3 and 6.
pub(super) const ERF_INV_IMPL_DD: &[f64] = &[
    1.0,
    1.3653349817554063097,
    0.762059164553623404043,
    0.220091105764131249824,
    0.0341589143670947727934,
    0.00263861676657015992959,
    0.764675292302794483503e-4,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 6 and 18.
pub(super) const ERF_INV_IMPL_EN: &[f64] = &[
    -0.0167431005076633737133,
    -0.00112951438745580278863,
    0.00105628862152492910091,
    0.000209386317487588078668,
    0.149624783758342370182e-4,
    0.449696789927706453732e-6,
    0.462596163522878599135e-8,
    -0.281128735628831791805e-13,
    0.99055709973310326855e-16,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 6 and 18.
pub(super) const ERF_INV_IMPL_ED: &[f64] = &[
    1.0,
    0.591429344886417493481,
    0.138151865749083321638,
    0.0160746087093676504695,
    0.000964011807005165528527,
    0.275335474764726041141e-4,
    0.282243172016108031869e-6,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 18 and 44.
pub(super) const ERF_INV_IMPL_FN: &[f64] = &[
    -0.0024978212791898131227,
    -0.779190719229053954292e-5,
    0.254723037413027451751e-4,
    0.162397777342510920873e-5,
    0.396341011304801168516e-7,
    0.411632831190944208473e-9,
    0.145596286718675035587e-11,
    -0.116765012397184275695e-17,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.75, 1] with x between 18 and 44.
pub(super) const ERF_INV_IMPL_FD: &[f64] = &[
    1.0,
    0.207123112214422517181,
    0.0169410838120975906478,
    0.000690538265622684595676,
    0.145007359818232637924e-4,
    0.144437756628144157666e-6,
    0.509761276599778486139e-9,
];

/// Polynomial coefficients for a numerator of `erf_inv_impl`
/// in the interval [0.75, 1] with x greater than 44.
pub(super) const ERF_INV_IMPL_GN: &[f64] = &[
    -0.000539042911019078575891,
    -0.28398759004727721098e-6,
    0.899465114892291446442e-6,
    0.229345859265920864296e-7,
    0.225561444863500149219e-9,
    0.947846627503022684216e-12,
    0.135880130108924861008e-14,
    -0.348890393399948882918e-21,
];

/// Polynomial coefficients for a denominator of `erf_inv_impl`
/// in the interval [0.75, 1] with x greater than 44.
pub(super) const ERF_INV_IMPL_GD: &[f64] = &[
    1.0,
    0.0845746234001899436914,
    0.00282092984726264681981,
    0.468292921940894236786e-4,
    0.399968812193862100054e-6,
    0.161809290887904476097e-8,
    0.231558608310259605225e-11,
];
}
use erf_inv_coefficients::*;

// The ziggurat's tables, digits as rand_distr writes them (`ziggurat_tables.rs`).
#[allow(clippy::excessive_precision)]
const ZIG_NORM_R: f64 = 3.654152885361008796;
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
pub(crate) static ZIG_NORM_X: [f64; 257] =
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
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
static ZIG_NORM_F: [f64; 257] =
    [0.000477467764586655, 0.001260285930498598, 0.002609072746106363, 0.004037972593371872,
     0.005522403299264754, 0.007050875471392110, 0.008616582769422917, 0.010214971439731100,
     0.011842757857943104, 0.013497450601780807, 0.015177088307982072, 0.016880083152595839,
     0.018605121275783350, 0.020351096230109354, 0.022117062707379922, 0.023902203305873237,
     0.025705804008632656, 0.027527235669693315, 0.029365939758230111, 0.031221417192023690,
     0.033093219458688698, 0.034980941461833073, 0.036884215688691151, 0.038802707404656918,
     0.040736110656078753, 0.042684144916619378, 0.044646552251446536, 0.046623094902089664,
     0.048613553216035145, 0.050617723861121788, 0.052635418276973649, 0.054666461325077916,
     0.056710690106399467, 0.058767952921137984, 0.060838108349751806, 0.062921024437977854,
     0.065016577971470438, 0.067124653828023989, 0.069245144397250269, 0.071377949059141965,
     0.073522973714240991, 0.075680130359194964, 0.077849336702372207, 0.080030515814947509,
     0.082223595813495684, 0.084428509570654661, 0.086645194450867782, 0.088873592068594229,
     0.091113648066700734, 0.093365311913026619, 0.095628536713353335, 0.097903279039215627,
     0.100189498769172020, 0.102487158942306270, 0.104796225622867056, 0.107116667775072880,
     0.109448457147210021, 0.111791568164245583, 0.114145977828255210, 0.116511665626037014,
     0.118888613443345698, 0.121276805485235437, 0.123676228202051403, 0.126086870220650349,
     0.128508722280473636, 0.130941777174128166, 0.133386029692162844, 0.135841476571757352,
     0.138308116449064322, 0.140785949814968309, 0.143274978974047118, 0.145775208006537926,
     0.148286642733128721, 0.150809290682410169, 0.153343161060837674, 0.155888264725064563,
     0.158444614156520225, 0.161012223438117663, 0.163591108232982951, 0.166181285765110071,
     0.168782774801850333, 0.171395595638155623, 0.174019770082499359, 0.176655321444406654,
     0.179302274523530397, 0.181960655600216487, 0.184630492427504539, 0.187311814224516926,
     0.190004651671193070, 0.192709036904328807, 0.195425003514885592, 0.198152586546538112,
     0.200891822495431333, 0.203642749311121501, 0.206405406398679298, 0.209179834621935651,
     0.211966076307852941, 0.214764175252008499, 0.217574176725178370, 0.220396127481011589,
     0.223230075764789593, 0.226076071323264877, 0.228934165415577484, 0.231804410825248525,
     0.234686861873252689, 0.237581574432173676, 0.240488605941449107, 0.243408015423711988,
     0.246339863502238771, 0.249284212419516704, 0.252241126056943765, 0.255210669955677150,
     0.258192911338648023, 0.261187919133763713, 0.264195763998317568, 0.267216518344631837,
     0.270250256366959984, 0.273297054069675804, 0.276356989296781264, 0.279430141762765316,
     0.282516593084849388, 0.285616426816658109, 0.288729728483353931, 0.291856585618280984,
     0.294997087801162572, 0.298151326697901342, 0.301319396102034120, 0.304501391977896274,
     0.307697412505553769, 0.310907558127563710, 0.314131931597630143, 0.317370638031222396,
     0.320623784958230129, 0.323891482377732021, 0.327173842814958593, 0.330470981380537099,
     0.333783015832108509, 0.337110066638412809, 0.340452257045945450, 0.343809713148291340,
     0.347182563958251478, 0.350570941482881204, 0.353974980801569250, 0.357394820147290515,
     0.360830600991175754, 0.364282468130549597, 0.367750569780596226, 0.371235057669821344,
     0.374736087139491414, 0.378253817247238111, 0.381788410875031348, 0.385340034841733958,
     0.388908860020464597, 0.392495061461010764, 0.396098818517547080, 0.399720314981931668,
     0.403359739222868885, 0.407017284331247953, 0.410693148271983222, 0.414387534042706784,
     0.418100649839684591, 0.421832709231353298, 0.425583931339900579, 0.429354541031341519,
     0.433144769114574058, 0.436954852549929273, 0.440785034667769915, 0.444635565397727750,
     0.448506701509214067, 0.452398706863882505, 0.456311852680773566, 0.460246417814923481,
     0.464202689050278838, 0.468180961407822172, 0.472181538469883255, 0.476204732721683788,
     0.480250865911249714, 0.484320269428911598, 0.488413284707712059, 0.492530263646148658,
     0.496671569054796314, 0.500837575128482149, 0.505028667945828791, 0.509245245998136142,
     0.513487720749743026, 0.517756517232200619, 0.522052074674794864, 0.526374847174186700,
     0.530725304406193921, 0.535103932383019565, 0.539511234259544614, 0.543947731192649941,
     0.548413963257921133, 0.552910490428519918, 0.557437893621486324, 0.561996775817277916,
     0.566587763258951771, 0.571211506738074970, 0.575868682975210544, 0.580559996103683473,
     0.585286179266300333, 0.590047996335791969, 0.594846243770991268, 0.599681752622167719,
     0.604555390700549533, 0.609468064928895381, 0.614420723892076803, 0.619414360609039205,
     0.624450015550274240, 0.629528779928128279, 0.634651799290960050, 0.639820277456438991,
     0.645035480824251883, 0.650298743114294586, 0.655611470583224665, 0.660975147780241357,
     0.666391343912380640, 0.671861719900766374, 0.677388036222513090, 0.682972161648791376,
     0.688616083008527058, 0.694321916130032579, 0.700091918140490099, 0.705928501336797409,
     0.711834248882358467, 0.717811932634901395, 0.723864533472881599, 0.729995264565802437,
     0.736207598131266683, 0.742505296344636245, 0.748892447223726720, 0.755373506511754500,
     0.761953346841546475, 0.768637315803334831, 0.775431304986138326, 0.782341832659861902,
     0.789376143571198563, 0.796542330428254619, 0.803849483176389490, 0.811307874318219935,
     0.818929191609414797, 0.826726833952094231, 0.834716292992930375, 0.842915653118441077,
     0.851346258465123684, 0.860033621203008636, 0.869008688043793165, 0.878309655816146839,
     0.887984660763399880, 0.898095921906304051, 0.908726440060562912, 0.919991505048360247,
     0.932060075968990209, 0.945198953453078028, 0.959879091812415930, 0.977101701282731328,
     1.000000000000000000];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Distribution as _;

    type R = rand::rngs::Xoshiro256PlusPlus;

    fn same(a: f64, b: f64, what: &str) {
        assert_eq!(a.to_bits(), b.to_bits(), "{what}: {a:e} vs rand_distr {b:e}");
    }

    /// The same draws as rand_distr on the machines this project builds on, where both
    /// take glibc's `log` and `exp` (elsewhere rand_distr's differ, which is the point).
    fn on_reference_libm() -> bool {
        cfg!(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64", target_feature = "fma"))
    }

    #[test]
    fn standard_normals_are_rand_distrs() {
        if !on_reference_libm() {
            return;
        }
        let normal = Normal::new(-2.5, 3.25).unwrap();
        let theirs = rand_distr::Normal::new(-2.5, 3.25).unwrap();
        for seed in 0..2_000_000_u64 {
            let (mut a, mut b) = (R::seed_from_u64(seed), R::seed_from_u64(seed));
            for _ in 0..4 {
                same(standard_normal(&mut a), b.sample(rand_distr::StandardNormal), "standard normal");
            }
            same(normal.sample(&mut a), theirs.sample(&mut b), "normal");
            assert_eq!(rand::Rng::next_u64(&mut a), rand::Rng::next_u64(&mut b), "stream after seed {seed}");
        }
    }

    #[test]
    fn beta_pert_and_triangular_draws_are_rand_distrs() {
        if !on_reference_libm() {
            return;
        }
        // Shapes of both algorithms, either skew, at and near 1, and PERT modes at the ends.
        let shapes = [
            (2.0, 5.0),
            (5.0, 2.0),
            (1.5, 1.5),
            (0.5, 0.5),
            (0.3, 4.0),
            (4.0, 0.3),
            (1.0, 3.0),
            (1.0 + 1e-9, 7.0),
            (30.0, 70.0),
            (0.05, 0.02),
            (200.0, 1.2),
        ];
        let perts = [(0.0, 0.3, 1.0), (-2.0, -2.0, 5.0), (1.0, 4.0, 4.0), (10.0, 10.5, 11.0), (0.0, 1e-6, 1.0)];
        let tris = [(0.0, 0.3, 1.0), (-2.0, -2.0, 5.0), (1.0, 4.0, 4.0), (3.0, 3.0, 3.0)];
        for seed in 0..200_000_u64 {
            let (mut a, mut b) = (R::seed_from_u64(seed), R::seed_from_u64(seed));
            for &(x, y) in &shapes {
                let ours = Beta::new(x, y).unwrap();
                let theirs = rand_distr::Beta::new(x, y).unwrap();
                same(ours.sample(&mut a), theirs.sample(&mut b), "beta");
            }
            for &(min, mode, max) in &perts {
                let ours = Pert::new(min, max, mode).unwrap();
                let theirs = rand_distr::Pert::new(min, max).with_mode(mode).unwrap();
                same(ours.sample(&mut a), theirs.sample(&mut b), "pert");
            }
            for &(min, mode, max) in &tris {
                let ours = Triangular::new(min, max, mode).unwrap();
                let theirs = rand_distr::Triangular::new(min, max, mode).unwrap();
                same(ours.sample(&mut a), theirs.sample(&mut b), "triangular");
            }
            assert_eq!(rand::Rng::next_u64(&mut a), rand::Rng::next_u64(&mut b), "stream after seed {seed}");
        }
    }

    #[test]
    fn normal_quantiles_are_statrs() {
        use statrs::distribution::ContinuousCDF;
        if !on_reference_libm() {
            return;
        }
        let n = statrs::distribution::Normal::new(0.0, 1.0).unwrap();
        let mut rng = R::seed_from_u64(3);
        for i in 0..2_000_000_u32 {
            let p: f64 = match i % 4 {
                0 => rng.random(),
                1 => rng.random::<f64>() * 1e-3,
                2 => 1.0 - rng.random::<f64>() * 1e-6,
                _ => f64::from(i) / 2_000_001.0,
            };
            same(normal_quantile(p), n.inverse_cdf(p), "quantile");
        }
        for p in [0.0, 1.0, 0.5, 0.25, 0.75, 1e-300, 5e-324, 1.0 - f64::EPSILON / 2.0] {
            same(normal_quantile(p), n.inverse_cdf(p), "quantile");
        }
    }

    #[test]
    fn refuses_what_rand_distr_refuses() {
        assert!(Beta::new(0.0, 1.0).is_err() && Beta::new(1.0, f64::NAN).is_err());
        assert!(Pert::new(1.0, 1.0, 1.0).is_err() && Pert::new(0.0, 1.0, 2.0).is_err());
        assert!(Triangular::new(1.0, 0.0, 0.5).is_err() && Triangular::new(0.0, 1.0, 2.0).is_err());
        assert!(Normal::new(0.0, f64::INFINITY).is_err());
    }
}
