//! RSA public-key signature checks (RFC 8017 §8.2.2 RSASSA-PKCS1-v1_5, §9.1.2
//! EMSA-PSS-VERIFY) with a variable-time exponentiation: the exponent is public,
//! so square-and-multiply (17 Montgomery products for e = 65537) is safe and ~2x
//! fewer products than the constant-time window `rsa` uses.

use alloc::vec;
use alloc::vec::Vec;

use rsa::traits::PublicKeyParts;
use crypto_bigint::modular::BoxedMontyForm;
use rsa::BoxedUint;
use sha2::digest::{Digest, FixedOutputReset};

use crate::algorithms::Algorithm;

/// `s^e mod n` as `k` big-endian bytes (RSAVP1 + I2OSP); `None` when `s >= n`.
fn rsavp1(key: &rsa::PublicKey, sig: &[u8], k: usize) -> Option<Vec<u8>> {
    let params = key.n_params();
    let s = BoxedUint::from_be_slice(sig, key.n_bits_precision()).ok()?;
    if s >= *key.n().as_ref() {
        return None;
    }
    let base = BoxedMontyForm::new(s, params);
    let e = key.e();
    let bits = e.bit_width_vartime();
    if bits == 0 {
        return None;
    }
    let mut acc = base.clone();
    for i in (0..bits - 1).rev() {
        acc = acc.square();
        if e.bit_vartime(i) {
            acc = acc.mul(&base);
        }
    }
    let m = acc.retrieve().to_be_bytes();
    // to_be_bytes is limb-aligned: keep the low k bytes (the rest are zero since m < n).
    m.get(m.len().checked_sub(k)?..).map(<[u8]>::to_vec)
}

/// DER `DigestInfo` prefixes (RFC 8017 §9.2 note 1).
fn digest_info_prefix(alg: Algorithm) -> &'static [u8] {
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => &[0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20],
        Algorithm::RS384 | Algorithm::PS384 => &[0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30],
        Algorithm::RS512 | Algorithm::PS512 => &[0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40],
    }
}

/// RSASSA-PKCS1-v1_5 verification: the expected encoded block is built and compared whole.
pub(crate) fn pkcs1v15_verify(key: &rsa::PublicKey, alg: Algorithm, hash: &[u8], sig: &[u8]) -> bool {
    let k = key.size();
    if sig.len() != k {
        return false;
    }
    let prefix = digest_info_prefix(alg);
    let t_len = prefix.len() + hash.len();
    if k < t_len + 11 {
        return false;
    }
    let Some(em) = rsavp1(key, sig, k) else {
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
pub(crate) fn pss_verify<D: Digest + FixedOutputReset>(key: &rsa::PublicKey, m_hash: &[u8], sig: &[u8]) -> bool {
    let k = key.size();
    if sig.len() > k {
        return false;
    }
    let h_len = <D as Digest>::output_size();
    let s_len = h_len;
    let mod_bits = key.n().bit_width_vartime() as usize;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let Some(m) = rsavp1(key, sig, k) else {
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
