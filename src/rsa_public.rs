//! RSA public-key signature checks (RFC 8017 §8.2.2 RSASSA-PKCS1-v1_5, §9.1.2
//! EMSA-PSS-VERIFY) on a Montgomery form prepared once per key, with a variable-time
//! exponentiation: the exponent is public, so square-and-multiply (17 products for
//! e = 65537) is safe, about half the products of `rsa`'s constant-time window.

use alloc::vec;
use alloc::vec::Vec;

use sha2::digest::{Digest, FixedOutputReset};

use crate::algorithms::Algorithm;

#[cfg(target_pointer_width = "64")]
type Limb = u64;
#[cfg(target_pointer_width = "64")]
type Wide = u128;
// wasm32 and other 32-bit targets: 32x32->64 products are native instructions there,
// where 64x64->128 would be a software call.
#[cfg(not(target_pointer_width = "64"))]
type Limb = u32;
#[cfg(not(target_pointer_width = "64"))]
type Wide = u64;

const LIMB_BITS: usize = Limb::BITS as usize;

/// Montgomery parameters of one public key, prepared once when the key is loaded.
#[derive(Debug, Clone)]
pub(crate) struct MontyKey {
    /// Modulus, little-endian limbs.
    n: Vec<Limb>,
    /// `-n^-1 mod 2^LIMB_BITS`.
    n0inv: Limb,
    /// `R^2 mod n`, `R = 2^(LIMB_BITS * limbs)`.
    r2: Vec<Limb>,
    /// Public exponent.
    e: u64,
    /// Modulus length in bytes.
    k: usize,
    /// Modulus length in bits.
    bits: usize,
}

fn limbs_from_be(bytes: &[u8], limbs: usize) -> Option<Vec<Limb>> {
    let mut out = vec![0 as Limb; limbs];
    for (i, b) in bytes.iter().rev().enumerate() {
        let (li, sh) = (i / (LIMB_BITS / 8), (i % (LIMB_BITS / 8)) * 8);
        if *b != 0 {
            *out.get_mut(li)? |= (*b as Limb) << sh;
        }
    }
    Some(out)
}

fn geq(a: &[Limb], b: &[Limb]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub_assign(a: &mut [Limb], b: &[Limb]) {
    let mut borrow = 0 as Limb;
    for i in 0..a.len() {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (o1 | o2) as Limb;
    }
}

impl MontyKey {
    /// From big-endian `n` (odd, non-zero) and `e`; `None` if unusable.
    pub(crate) fn new(n_be: &[u8], e: u64) -> Option<Self> {
        let n_be: &[u8] = &n_be[n_be.iter().position(|b| *b != 0)?..];
        let k = n_be.len();
        let limbs = k.div_ceil(LIMB_BITS / 8);
        let n = limbs_from_be(n_be, limbs)?;
        if n[0] & 1 == 0 {
            return None;
        }
        // Newton: x = n0^-1 mod 2^w, doubling correct bits each step.
        let mut inv: Limb = 1;
        for _ in 0..7 {
            inv = inv.wrapping_mul((2 as Limb).wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let n0inv = inv.wrapping_neg();
        // R^2 mod n by 2 * w * limbs modular doublings of 1 (once per key).
        let mut r = vec![0 as Limb; limbs];
        r[0] = 1;
        for _ in 0..2 * LIMB_BITS * limbs {
            let carry = r[limbs - 1] >> (LIMB_BITS - 1);
            for i in (1..limbs).rev() {
                r[i] = (r[i] << 1) | (r[i - 1] >> (LIMB_BITS - 1));
            }
            r[0] <<= 1;
            if carry == 1 || geq(&r, &n) {
                sub_assign(&mut r, &n);
            }
        }
        let bits = k * 8 - n_be[0].leading_zeros() as usize;
        Some(MontyKey {
            n,
            n0inv,
            r2: r,
            e,
            k,
            bits,
        })
    }

    /// Modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Modulus size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.k
    }

    /// `out = a * b * R^-1 mod n`, FIOS form: the product row and the reduction row run in
    /// one loop with two independent carry chains (better instruction-level parallelism than
    /// two passes). `t` is scratch of limbs + 2; loops over zipped slices drop bounds checks.
    fn mul(&self, a: &[Limb], b: &[Limb], t: &mut [Limb], out: &mut [Limb]) {
        let s = self.n.len();
        let n = &self.n[..s];
        let a = &a[..s];
        let t = &mut t[..s + 1];
        t.iter_mut().for_each(|x| *x = 0);
        for &bi in &b[..s] {
            let v0 = t[0] as Wide + a[0] as Wide * bi as Wide;
            let m = (v0 as Limb).wrapping_mul(self.n0inv);
            let w0 = (v0 as Limb) as Wide + m as Wide * n[0] as Wide; // low limb becomes zero
            let mut c1 = v0 >> LIMB_BITS;
            let mut c2 = w0 >> LIMB_BITS;
            for j in 1..s {
                let v = t[j] as Wide + a[j] as Wide * bi as Wide + c1;
                c1 = v >> LIMB_BITS;
                let w = (v as Limb) as Wide + m as Wide * n[j] as Wide + c2;
                c2 = w >> LIMB_BITS;
                t[j - 1] = w as Limb;
            }
            let v = t[s] as Wide + c1 + c2;
            t[s - 1] = v as Limb;
            t[s] = (v >> LIMB_BITS) as Limb;
        }
        out.copy_from_slice(&t[..s]);
        if t[s] != 0 || geq(out, n) {
            sub_assign(out, n);
        }
    }

    /// RSAVP1 + I2OSP: `sig^e mod n` as `k` big-endian bytes; `None` when `sig >= n`
    /// or longer than the modulus. Square-and-multiply, variable time (public exponent).
    pub(crate) fn public_op(&self, sig: &[u8]) -> Option<Vec<u8>> {
        if sig.len() > self.k {
            return None;
        }
        let s = self.n.len();
        let x = limbs_from_be(sig, s)?;
        if geq(&x, &self.n) {
            return None;
        }
        let mut t = vec![0 as Limb; s + 2];
        let mut base = vec![0 as Limb; s];
        self.mul(&x, &self.r2, &mut t, &mut base); // to Montgomery form
        let mut acc = base.clone();
        let mut tmp = vec![0 as Limb; s];
        let top = 63 - self.e.leading_zeros() as usize;
        for i in (0..top).rev() {
            self.mul(&acc, &acc, &mut t, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if (self.e >> i) & 1 == 1 {
                self.mul(&acc, &base, &mut t, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        let mut one = vec![0 as Limb; s];
        one[0] = 1;
        self.mul(&acc, &one, &mut t, &mut tmp); // out of Montgomery form
        let mut out = vec![0u8; self.k];
        for (i, byte) in out.iter_mut().rev().enumerate() {
            *byte = (tmp[i / (LIMB_BITS / 8)] >> ((i % (LIMB_BITS / 8)) * 8)) as u8;
        }
        Some(out)
    }
}

/// DER `DigestInfo` prefixes (RFC 8017 §9.2 note 1).
fn digest_info_prefix(alg: Algorithm) -> &'static [u8] {
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        Algorithm::RS384 | Algorithm::PS384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        Algorithm::RS512 | Algorithm::PS512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// RSASSA-PKCS1-v1_5 verification: the expected encoded block is built and compared whole.
pub(crate) fn pkcs1v15_verify(key: &MontyKey, alg: Algorithm, hash: &[u8], sig: &[u8]) -> bool {
    let k = key.size();
    if sig.len() != k {
        return false;
    }
    let prefix = digest_info_prefix(alg);
    let t_len = prefix.len() + hash.len();
    if k < t_len + 11 {
        return false;
    }
    let Some(em) = key.public_op(sig) else {
        return false;
    };
    let mut expected = vec![0xffu8; k];
    expected[0] = 0x00;
    expected[1] = 0x01;
    expected[k - t_len - 1] = 0x00;
    expected[k - t_len..k - hash.len()].copy_from_slice(prefix);
    expected[k - hash.len()..].copy_from_slice(hash);
    em == expected
}

fn mgf1_xor<D: Digest + FixedOutputReset>(seed: &[u8], out: &mut [u8]) {
    let mut counter = 0u32;
    let mut done = 0;
    let mut d = D::new();
    while done < out.len() {
        Digest::update(&mut d, seed);
        Digest::update(&mut d, counter.to_be_bytes());
        let block = d.finalize_reset();
        for (o, b) in out[done..].iter_mut().zip(block.iter()) {
            *o ^= b;
        }
        done += block.len();
        counter += 1;
    }
}

/// RSASSA-PSS verification, MGF1 with the same hash, salt length = hash length (PyJWT).
/// `sig` shorter than the modulus is left-padded (OpenSSL accepts it; see `Algorithm::verify`).
pub(crate) fn pss_verify<D: Digest + FixedOutputReset>(
    key: &MontyKey,
    m_hash: &[u8],
    sig: &[u8],
) -> bool {
    let k = key.size();
    if sig.len() > k {
        return false;
    }
    let h_len = <D as Digest>::output_size();
    let s_len = h_len;
    let mod_bits = key.bits;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let Some(m) = key.public_op(sig) else {
        return false;
    };
    // I2OSP(m, emLen): when emLen = k - 1 the top byte must be zero.
    if m.len() - em_len > 0 && m[..m.len() - em_len].iter().any(|b| *b != 0) {
        return false;
    }
    let em = &m[m.len() - em_len..];
    if em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let top_bits = 8 * em_len - em_bits;
    let top_mask = (0xffu16 >> top_bits) as u8;
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    let mut db = masked_db.to_vec();
    mgf1_xor::<D>(h, &mut db);
    db[0] &= top_mask;
    let ps_len = em_len - h_len - s_len - 2;
    if db[..ps_len].iter().any(|b| *b != 0) || db[ps_len] != 0x01 {
        return false;
    }
    let salt = &db[db.len() - s_len..];
    let mut d = D::new();
    Digest::update(&mut d, [0u8; 8]);
    Digest::update(&mut d, m_hash);
    Digest::update(&mut d, salt);
    d.finalize_reset().as_slice() == h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore]
    fn timing_probe() {
        let n: Vec<u8> = (0..256)
            .map(|i| {
                if i == 0 {
                    0xc5
                } else if i == 255 {
                    0x0b
                } else {
                    (i * 37 % 251) as u8
                }
            })
            .collect();
        let k = MontyKey::new(&n, 65537).unwrap();
        let sig: Vec<u8> = (0..256).map(|i| (i * 11 % 200) as u8).collect();
        let t = std::time::Instant::now();
        for _ in 0..2000 {
            core::hint::black_box(k.public_op(core::hint::black_box(&sig)));
        }
        let per = t.elapsed() / 2000;
        let s = k.n.len();
        let (a, b) = (k.r2.clone(), k.r2.clone());
        let mut tt = vec![0 as Limb; s + 2];
        let mut out = vec![0 as Limb; s];
        let t = std::time::Instant::now();
        for _ in 0..20000 {
            k.mul(core::hint::black_box(&a), &b, &mut tt, &mut out);
        }
        std::println!("public_op {:?}, mul {:?}", per, t.elapsed() / 20000);
    }
}
