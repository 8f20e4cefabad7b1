//! The seeded shuffle upstream's approve plugin uses to vary its suggested approvers: Go's
//! `math/rand` source seeded with the pull request's number, reproduced so suggestions match.
//!
//! Go's source is an additive lagged Fibonacci generator (`x[n] = x[n-607] + x[n-273]`) whose
//! seeding mixes the seed into a fixed table: the state of the same generator, seeded with 1,
//! after 7.8e12 steps. That table is computed here by jumping ahead with polynomial arithmetic
//! modulo the recurrence's characteristic polynomial, once per process.

use std::sync::OnceLock;

/// Length of the generator's state.
const LEN: usize = 607;
/// Lag of the second term.
const TAP: usize = 273;
/// Modulus of the Lehmer generator used for seeding.
const INT32_MAX: i64 = (1 << 31) - 1;
/// Steps the table of seeding constants is taken after.
const COOKED_STEPS: u64 = 7_800_000_000_000;

/// One step of the Lehmer generator `x * 48271 mod (2^31 - 1)` used for seeding.
fn seed_step(x: i64) -> i64 {
    let (hi, lo) = (x / 44_488, x % 44_488);
    let x = 48_271 * lo - 3_399 * hi;
    if x < 0 { x + INT32_MAX } else { x }
}

/// The generator's state right after seeding with `seed`, before any mixing constants;
/// `shifts` are the two left shifts the three Lehmer outputs of one word are combined with.
fn raw_state(seed: i64, shifts: (u32, u32)) -> [u64; LEN] {
    let mut seed = seed % INT32_MAX;
    if seed < 0 {
        seed += INT32_MAX;
    }
    if seed == 0 {
        seed = 89_482_311;
    }
    let mut state = [0u64; LEN];
    let mut x = seed;
    for i in -20i64..LEN as i64 {
        x = seed_step(x);
        if let Ok(i) = usize::try_from(i) {
            let mut word = (x as u64) << shifts.0;
            x = seed_step(x);
            word ^= (x as u64) << shifts.1;
            x = seed_step(x);
            word ^= x as u64;
            state[i] = word;
        }
    }
    state
}

/// `a * b` modulo `t^607 - t^334 - 1`, coefficients wrapping modulo 2^64.
fn mul_mod(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut product = vec![0u64; 2 * LEN - 1];
    for (i, &x) in a.iter().enumerate() {
        if x == 0 {
            continue;
        }
        for (j, &y) in b.iter().enumerate() {
            product[i + j] = product[i + j].wrapping_add(x.wrapping_mul(y));
        }
    }
    for d in (LEN..product.len()).rev() {
        let c = product[d];
        if c != 0 {
            // t^d = t^(d-607) * (t^334 + 1)
            product[d - TAP] = product[d - TAP].wrapping_add(c);
            product[d - LEN] = product[d - LEN].wrapping_add(c);
            product[d] = 0;
        }
    }
    product.truncate(LEN);
    product
}

/// `t^n` modulo the characteristic polynomial.
fn power(mut n: u64) -> Vec<u64> {
    let mut result = vec![0u64; LEN];
    result[0] = 1;
    let mut base = vec![0u64; LEN];
    base[1] = 1;
    while n > 0 {
        if n & 1 == 1 {
            result = mul_mod(&result, &base);
        }
        base = mul_mod(&base, &base);
        n >>= 1;
    }
    result
}

/// Multiplies a residue by `t` in place.
fn times_t(c: &mut [u64]) {
    let top = c[LEN - 1];
    c.copy_within(0..LEN - 1, 1);
    c[0] = top;
    c[LEN - TAP] = c[LEN - TAP].wrapping_add(top);
}

/// The seeding constants: the generator's state after [`COOKED_STEPS`] steps from seed 1.
fn cooked() -> &'static [u64; LEN] {
    static COOKED: OnceLock<[u64; LEN]> = OnceLock::new();
    COOKED.get_or_init(|| {
        // Step k (from 1) writes x[k] = x[k-607] + x[k-273] at position (334 - k) mod 607;
        // x[j] for j in -606..=0 is the initial word at that same position.
        let feed0 = (LEN - TAP) as i64;
        let position = |k: i64| (feed0 - k).rem_euclid(LEN as i64) as usize;
        let initial = raw_state(1, (20, 10));
        let window: Vec<u64> = (-(LEN as i64 - 1)..=0)
            .map(|j| initial[position(j)])
            .collect();
        // x[-606 + m] = sum_i c_i x[-606 + i] where t^m = sum_i c_i t^i.
        let first = COOKED_STEPS - (LEN as u64 - 1);
        let mut coefficients = power(first + LEN as u64 - 1);
        let mut out = [0u64; LEN];
        for offset in 0..LEN as u64 {
            let value = coefficients
                .iter()
                .zip(&window)
                .fold(0u64, |acc, (c, x)| acc.wrapping_add(c.wrapping_mul(*x)));
            out[position((first + offset) as i64)] = value;
            times_t(&mut coefficients);
        }
        out
    })
}

/// Go's `rand.New(rand.NewSource(seed))`, as far as `Perm` needs it.
#[derive(Clone, Debug)]
pub struct GoRand {
    tap: usize,
    feed: usize,
    state: [u64; LEN],
}

impl GoRand {
    /// The generator Go's `rand.NewSource(seed)` makes.
    pub fn new(seed: i64) -> GoRand {
        let mut state = raw_state(seed, (40, 20));
        for (word, constant) in state.iter_mut().zip(cooked()) {
            *word ^= constant;
        }
        GoRand {
            tap: 0,
            feed: LEN - TAP,
            state,
        }
    }

    /// The next 64 bits (Go's `Uint64`).
    fn next_u64(&mut self) -> u64 {
        self.tap = (self.tap + LEN - 1) % LEN;
        self.feed = (self.feed + LEN - 1) % LEN;
        let x = self.state[self.feed].wrapping_add(self.state[self.tap]);
        self.state[self.feed] = x;
        x
    }

    /// A non-negative 63-bit number (Go's `Int63`).
    pub fn int63(&mut self) -> i64 {
        (self.next_u64() & (u64::MAX >> 1)) as i64
    }

    /// A non-negative 31-bit number (Go's `Int31`).
    fn int31(&mut self) -> i32 {
        (self.int63() >> 32) as i32
    }

    /// A number in `[0, n)` (Go's `Int31n`, which `Intn` uses for small `n`).
    fn int31n(&mut self, n: i32) -> i32 {
        if n & (n - 1) == 0 {
            return self.int31() & (n - 1);
        }
        let max = (i32::MAX as u32 - (1u32 << 31) % n as u32) as i32;
        let mut v = self.int31();
        while v > max {
            v = self.int31();
        }
        v % n
    }

    /// A permutation of `0..n` (Go's `Perm`).
    pub fn perm(&mut self, n: usize) -> Vec<usize> {
        let mut m = vec![0usize; n];
        for i in 0..n {
            let bound = i32::try_from(i + 1).unwrap_or(i32::MAX);
            let j = self.int31n(bound) as usize;
            m[i] = m[j];
            m[j] = i;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_table_matches_go() {
        // The first and last words of Go's table, in its original 63-bit form.
        let table = cooked();
        assert_eq!(table[0] & (u64::MAX >> 1), 5_041_579_894_721_019_882);
        assert_eq!(table[LEN - 1] & (u64::MAX >> 1), 4_152_330_101_494_654_406);
    }

    #[test]
    fn sequence_matches_go() {
        // What Go's math/rand gave for seed 1 before it seeded itself randomly.
        let mut r = GoRand::new(1);
        assert_eq!(r.int63(), 5_577_006_791_947_779_410);
        assert_eq!(r.int63(), 8_674_665_223_082_153_551);
        assert_eq!(r.int63(), 6_129_484_611_666_145_821);
    }

    #[test]
    fn perm_is_a_permutation() {
        let mut p = GoRand::new(42).perm(10);
        p.sort_unstable();
        assert_eq!(p, (0..10).collect::<Vec<_>>());
        assert!(GoRand::new(7).perm(0).is_empty());
    }
}
