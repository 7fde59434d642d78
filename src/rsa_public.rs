//! RSA public-key signature checks (RFC 8017 §8.2.2 RSASSA-PKCS1-v1_5, §9.1.2
//! EMSA-PSS-VERIFY) on a Montgomery form prepared once per key, with a variable-time
//! exponentiation: the exponent is public, so square-and-multiply (17 products for
//! e = 65537) is safe, about half the products of `rsa`'s constant-time window.

// 32-bit targets check with `fips28`; SOS there only prepares keys and cross-checks.
#![cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]

use alloc::vec;
use alloc::vec::Vec;

use sha2::digest::{Digest, FixedOutputReset};
use sha2::{Sha256, Sha384, Sha512};

use crate::radix::geq;

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
    /// `R^e mod n`, `R = 2^(LIMB_BITS * limbs)`: undoes the `R^-(e-1)` that `e - 1`
    /// Montgomery products leave on a base kept out of Montgomery form (see `public_op`).
    re: Vec<Limb>,
    /// Public exponent, big-endian, no leading zeros (any size: OpenSSL takes any odd
    /// `3 <= e < n` for moduli up to 3072 bits).
    e: Vec<u8>,
    /// Modulus length in bytes.
    k: usize,
    /// Modulus length in bits.
    bits: usize,
    /// The same key in radix 2^52 for CPUs with AVX-512 IFMA (`None` elsewhere).
    #[cfg(target_arch = "x86_64")]
    ifma: Option<crate::ifma::IfmaKey>,
    /// The same key in radix 2^28 for 32-bit targets (and the tests).
    #[cfg(any(test, not(target_pointer_width = "64")))]
    fips28: Option<crate::fips28::Fips28Key>,
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

fn sub_assign(a: &mut [Limb], b: &[Limb]) {
    let mut borrow = 0 as Limb;
    for i in 0..a.len() {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (o1 | o2) as Limb;
    }
}

/// The one inner loop of every product: `t[..a.len()] += a * b`, returning the carry
/// limb. A type parameter, not a function pointer, so the portable loop is inlined.
trait Row {
    fn row(t: &mut [Limb], a: &[Limb], b: Limb) -> Limb;
}

/// Portable Rust, every target.
struct Portable;

impl Row for Portable {
    #[inline(always)]
    fn row(t: &mut [Limb], a: &[Limb], b: Limb) -> Limb {
        let mut c = 0 as Limb;
        for (tj, aj) in t.iter_mut().zip(a) {
            // a*b + t + c never exceeds two limbs.
            let v = *tj as Wide + *aj as Wide * b as Wide + c as Wide;
            *tj = v as Limb;
            c = (v >> LIMB_BITS) as Limb;
        }
        c
    }
}

/// A Montgomery product and square, written to `ws.tmp`.
trait Products {
    fn mul(key: &MontyKey, a: &[Limb], b: &[Limb], ws: &mut Work);
    fn sqr(key: &MontyKey, a: &[Limb], ws: &mut Work);
}

/// Separated operand scanning over a row kernel: product (or half-product square) rows,
/// then reduction rows. The choice on 64-bit targets (with the x86-64 assembly row there).
struct Sos<K>(core::marker::PhantomData<K>);

impl<K: Row> Products for Sos<K> {
    fn mul(key: &MontyKey, a: &[Limb], b: &[Limb], ws: &mut Work) {
        key.sos_mul::<K>(a, b, ws)
    }
    fn sqr(key: &MontyKey, a: &[Limb], ws: &mut Work) {
        key.sos_sqr::<K>(a, ws)
    }
}

/// The portable products: SOS over the Rust row (on 32-bit targets only the tests and
/// the per-key set-up use them; `fips28` does the checks there).
type PortableProducts = Sos<Portable>;

/// x86-64 with BMI2 + ADX: `mulx` and two independent carry chains (`adcx` adds the
/// previous high half, `adox` adds `t`), as OpenSSL's `bn_mul_mont` does; LLVM does not
/// emit this from portable code. Loop control uses `lea`/`jrcxz`, which leave CF and OF alone.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod adx {
    use super::Limb;
    use core::sync::atomic::{AtomicU8, Ordering};

    /// Only used after `available()` said yes.
    pub(super) struct Adx;

    impl super::Row for Adx {
        #[inline(always)]
        fn row(t: &mut [Limb], a: &[Limb], b: Limb) -> Limb {
            row(t, a, b)
        }
    }

    #[inline(never)]
    fn row(t: &mut [Limb], a: &[Limb], b: Limb) -> Limb {
        let len = a.len().min(t.len());
        let carry: u64;
        // SAFETY: reads `len` limbs from `a` and reads/writes `len` limbs of `t`, both in
        // bounds; only called after `available()` confirmed BMI2 and ADX.
        unsafe {
            core::arch::asm!(
                "mov r11, rcx",
                "shr r11, 2",
                "and ecx, 3",
                "xor eax, eax", // carry limb = 0, CF = OF = 0
                "jrcxz 3f",
                "2:", // len % 4 single limbs
                "mulx r9, r8, [rsi]",
                "adcx r8, rax",
                "adox r8, [rdi]",
                "mov [rdi], r8",
                "mov rax, r9",
                "lea rsi, [rsi + 8]",
                "lea rdi, [rdi + 8]",
                "lea rcx, [rcx - 1]",
                "jrcxz 3f",
                "jmp 2b",
                "3:",
                "mov rcx, r11",
                "jrcxz 5f",
                "4:", // four limbs per turn
                "mulx r9, r8, [rsi]",
                "adcx r8, rax",
                "adox r8, [rdi]",
                "mov [rdi], r8",
                "mulx rax, r8, [rsi + 8]",
                "adcx r8, r9",
                "adox r8, [rdi + 8]",
                "mov [rdi + 8], r8",
                "mulx r9, r8, [rsi + 16]",
                "adcx r8, rax",
                "adox r8, [rdi + 16]",
                "mov [rdi + 16], r8",
                "mulx rax, r8, [rsi + 24]",
                "adcx r8, r9",
                "adox r8, [rdi + 24]",
                "mov [rdi + 24], r8",
                "lea rsi, [rsi + 32]",
                "lea rdi, [rdi + 32]",
                "lea rcx, [rcx - 1]",
                "jrcxz 5f",
                "jmp 4b",
                "5:", // fold both chains' last carries into the high limb (cannot overflow)
                "mov r8d, 0",
                "adcx rax, r8",
                "adox rax, r8",
                inout("rdi") t.as_mut_ptr() => _,
                inout("rsi") a.as_ptr() => _,
                in("rdx") b,
                inout("rcx") len => _,
                out("rax") carry,
                out("r8") _,
                out("r9") _,
                out("r11") _,
                options(nostack),
            );
        }
        carry
    }

    /// CPUID leaf 7: EBX bit 8 = BMI2, bit 19 = ADX. Asked once, then remembered.
    pub(super) fn available() -> bool {
        if cfg!(all(target_feature = "bmi2", target_feature = "adx")) {
            return true;
        }
        static STATE: AtomicU8 = AtomicU8::new(0);
        match STATE.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => {
                #[allow(unused_unsafe)]
                // SAFETY: CPUID exists on every x86-64 CPU.
                let yes = unsafe {
                    core::arch::x86_64::__cpuid(0).eax >= 7 && {
                        let ebx = core::arch::x86_64::__cpuid_count(7, 0).ebx;
                        ebx & (1 << 8) != 0 && ebx & (1 << 19) != 0
                    }
                };
                STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
                yes
            }
        }
    }
}

/// `2^bits mod n` (once per key): modular doublings from the largest power of two below
/// `n`, which is its own remainder, so the first `bitlen(n) - 1` doublings are skipped
/// (all but 33 of them for the IFMA form's `R`).
fn pow2_mod(n: &[Limb], bits: usize) -> Vec<Limb> {
    let s = n.len();
    let top = n.iter().rposition(|&x| x != 0).unwrap_or(0);
    let start = (top * LIMB_BITS + (LIMB_BITS - n[top].leading_zeros() as usize)).max(1) - 1;
    let start = start.min(bits);
    let mut r = vec![0 as Limb; s];
    r[start / LIMB_BITS] = 1 << (start % LIMB_BITS);
    if geq(&r, n) {
        sub_assign(&mut r, n); // n = 1
    }
    for _ in start..bits {
        let carry = r[s - 1] >> (LIMB_BITS - 1);
        for i in (1..s).rev() {
            r[i] = (r[i] << 1) | (r[i - 1] >> (LIMB_BITS - 1));
        }
        r[0] <<= 1;
        if carry == 1 || geq(&r, n) {
            sub_assign(&mut r, n);
        }
    }
    r
}

/// Which kernel a check uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// The fastest this CPU runs: AVX-512 IFMA, else the `mulx` rows, else portable Rust.
    Best,
    /// The `mulx` rows where the CPU has them, even with IFMA (cross-checks IFMA).
    #[cfg(any(test, feature = "cross-check"))]
    Mulx,
    /// Portable Rust everywhere (cross-checks the assembly in tests).
    #[cfg(any(test, feature = "cross-check"))]
    Portable,
}

impl Kernel {
    /// Whether this resolves to the x86-64 assembly kernel.
    fn adx(self) -> bool {
        #[cfg(any(test, feature = "cross-check"))]
        if self == Kernel::Portable {
            return false;
        }
        #[cfg(target_arch = "x86_64")]
        {
            adx::available()
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }
}

impl MontyKey {
    /// From big-endian `n` (odd, non-zero) and `e` (non-zero); `None` if unusable.
    pub(crate) fn new(n_be: &[u8], e_be: &[u8]) -> Option<Self> {
        let n_be: &[u8] = &n_be[n_be.iter().position(|b| *b != 0)?..];
        let e: Vec<u8> = e_be[e_be.iter().position(|b| *b != 0)?..].to_vec();
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
        let bits = k * 8 - n_be[0].leading_zeros() as usize;
        // e - 1, big-endian (a borrow through the low bytes; e >= 1).
        let mut e_minus_1 = e.clone();
        for b in e_minus_1.iter_mut().rev() {
            let (v, borrow) = b.overflowing_sub(1);
            *b = v;
            if !borrow {
                break;
            }
        }
        let mut key = MontyKey {
            n,
            n0inv,
            re: Vec::new(),
            e,
            k,
            bits,
            #[cfg(target_arch = "x86_64")]
            ifma: None,
            #[cfg(any(test, not(target_pointer_width = "64")))]
            fips28: None,
        };
        // R^e is the Montgomery form of R^(e-1): R^2 (the form of R) to the power e - 1
        // with Montgomery products; for e = 1, the form of 1. (32-bit builds check with
        // `fips28` alone: there only the cross-checks need it.)
        #[cfg(any(target_pointer_width = "64", test, feature = "cross-check"))]
        {
            let r2 = pow2_mod(&key.n, 2 * LIMB_BITS * limbs);
            let mut ws = Work::new(limbs);
            key.re = if e_minus_1.iter().all(|b| *b == 0) {
                let mut one = vec![0 as Limb; limbs];
                one[0] = 1;
                PortableProducts::mul(&key, &r2, &one, &mut ws);
                ws.tmp.clone()
            } else {
                key.ladder::<PortableProducts>(&r2, &e_minus_1, &mut ws)
            };
        }
        #[cfg(target_arch = "x86_64")]
        if crate::ifma::available() {
            key.ifma = crate::ifma::regs_for(key.bits).and_then(|regs| {
                let re = key.r_to_e(crate::ifma::r_bits(regs))?;
                crate::ifma::IfmaKey::new(&key.to_be(&key.n), &key.e, &re, regs)
            });
        }
        #[cfg(any(test, not(target_pointer_width = "64")))]
        {
            key.fips28 = crate::fips28::digits_for(key.bits)
                .and_then(|wd| crate::fips28::Fips28Key::new(&key.to_be(&key.n), &key.e, wd));
        }
        Some(key)
    }

    /// `R^e mod n` for `R = 2^r_bits`, big-endian: what another radix's kernel multiplies
    /// by last (its counterpart of `re`).
    #[cfg(target_arch = "x86_64")]
    fn r_to_e(&self, r_bits: usize) -> Option<Vec<u8>> {
        self.public_op_with::<PortableProducts>(&self.to_be(&pow2_mod(&self.n, r_bits)))
    }

    /// Modulus size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.k
    }

    /// Montgomery reduction of the double-width `ws.t` (SOS) into `ws.tmp`: `t * R^-1 mod n`.
    fn sos_reduce<K: Row>(&self, ws: &mut Work) {
        let s = self.n.len();
        let (n, t) = (&self.n[..s], &mut ws.t[..2 * s]);
        let mut top = 0 as Limb;
        for i in 0..s {
            let m = t[i].wrapping_mul(self.n0inv);
            let c = K::row(&mut t[i..i + s], n, m); // clears t[i]
            let v = t[i + s] as Wide + c as Wide + top as Wide;
            t[i + s] = v as Limb;
            top = (v >> LIMB_BITS) as Limb;
        }
        // t < 2n here, so one conditional subtraction reduces fully.
        let out = &mut ws.tmp[..s];
        out.copy_from_slice(&t[s..2 * s]);
        if top != 0 || geq(out, n) {
            sub_assign(out, n);
        }
    }

    /// `ws.tmp = a * b * R^-1 mod n` for `a, b < n`.
    fn sos_mul<K: Row>(&self, a: &[Limb], b: &[Limb], ws: &mut Work) {
        let s = self.n.len();
        let (a, t) = (&a[..s], &mut ws.t[..2 * s]);
        t[..s].iter_mut().for_each(|x| *x = 0);
        for (i, &bi) in b[..s].iter().enumerate() {
            t[i + s] = K::row(&mut t[i..i + s], a, bi);
        }
        self.sos_reduce::<K>(ws);
    }

    /// `ws.tmp = a^2 * R^-1 mod n`: each cross product once, doubled, plus the squares
    /// (about half the products of `mul`).
    fn sos_sqr<K: Row>(&self, a: &[Limb], ws: &mut Work) {
        let s = self.n.len();
        let (a, t) = (&a[..s], &mut ws.t[..2 * s]);
        t.iter_mut().for_each(|x| *x = 0);
        for i in 0..s - 1 {
            t[i + s] = K::row(&mut t[2 * i + 1..i + s], &a[i + 1..], a[i]);
        }
        let (mut shifted_out, mut c) = (0 as Limb, 0 as Limb);
        for (i, &ai) in a.iter().enumerate() {
            let d = ai as Wide * ai as Wide;
            let (l0, l1) = (t[2 * i], t[2 * i + 1]);
            let d0 = (l0 << 1) | shifted_out;
            let d1 = (l1 << 1) | (l0 >> (LIMB_BITS - 1));
            shifted_out = l1 >> (LIMB_BITS - 1);
            let v = d0 as Wide + (d as Limb) as Wide + c as Wide;
            t[2 * i] = v as Limb;
            let v = d1 as Wide + (d >> LIMB_BITS) + (v >> LIMB_BITS);
            t[2 * i + 1] = v as Limb;
            c = (v >> LIMB_BITS) as Limb;
        }
        self.sos_reduce::<K>(ws);
    }

    /// Left-to-right square-and-multiply, `e >= 1`: starts from `base` (the top bit) and
    /// runs the bits below it. Variable time: only ever run on public values.
    fn ladder<P: Products>(&self, base: &[Limb], e: &[u8], ws: &mut Work) -> Vec<Limb> {
        let mut acc = base.to_vec();
        for bit in crate::radix::exponent_bits(e) {
            P::sqr(self, &acc, ws);
            core::mem::swap(&mut acc, &mut ws.tmp);
            if bit == 1 {
                P::mul(self, &acc, base, ws);
                core::mem::swap(&mut acc, &mut ws.tmp);
            }
        }
        acc
    }

    /// RSAVP1 + I2OSP: `sig^e mod n` as `k` big-endian bytes; `None` when `sig >= n`
    /// or longer than the modulus. Square-and-multiply, variable time (public exponent).
    pub(crate) fn public_op(&self, sig: &[u8], kernel: Kernel) -> Option<Vec<u8>> {
        #[cfg(target_arch = "x86_64")]
        if let (Kernel::Best, Some(ifma)) = (kernel, &self.ifma) {
            self.base(sig)?;
            return ifma.public_op(sig);
        }
        #[cfg(not(target_pointer_width = "64"))]
        if kernel == Kernel::Best {
            self.base(sig)?;
            return self.fips28.as_ref()?.public_op(sig);
        }
        if kernel.adx() {
            #[cfg(target_arch = "x86_64")]
            return self.public_op_with::<Sos<adx::Adx>>(sig);
        }
        self.public_op_with::<PortableProducts>(sig)
    }

    /// `sig` as limbs when `sig < n` (and no longer than the modulus).
    fn base(&self, sig: &[u8]) -> Option<Vec<Limb>> {
        if sig.len() > self.k {
            return None;
        }
        let x = limbs_from_be(sig, self.n.len())?;
        (!geq(&x, &self.n)).then_some(x)
    }

    fn public_op_with<P: Products>(&self, sig: &[u8]) -> Option<Vec<u8>> {
        let x = self.base(sig)?;
        // The base stays out of Montgomery form: after the e - 1 products of the ladder,
        // acc = x^e * R^-(e-1), and one product with R^e gives x^e (16 squarings and two
        // products for e = 65537, no conversion in or out).
        let mut ws = Work::new(self.n.len());
        let acc = self.ladder::<P>(&x, &self.e, &mut ws);
        P::mul(self, &acc, &self.re, &mut ws);
        Some(self.to_be(&ws.tmp))
    }

    /// `k` big-endian bytes of a value below `n`.
    fn to_be(&self, x: &[Limb]) -> Vec<u8> {
        let mut out = vec![0u8; self.k];
        for (i, byte) in out.iter_mut().rev().enumerate() {
            *byte = (x[i / (LIMB_BITS / 8)] >> ((i % (LIMB_BITS / 8)) * 8)) as u8;
        }
        out
    }
}

/// Scratch for one exponentiation.
struct Work {
    t: Vec<Limb>,
    tmp: Vec<Limb>,
}

impl Work {
    fn new(s: usize) -> Self {
        Work {
            t: vec![0 as Limb; 2 * s],
            tmp: vec![0 as Limb; s],
        }
    }
}

/// A hash with its DER `DigestInfo` prefix (RFC 8017 §9.2 note 1), for PKCS#1 v1.5.
pub(crate) trait DigestInfo: Digest + FixedOutputReset {
    /// `DigestInfo` up to the digest bytes: algorithm OID, NULL parameters, OCTET STRING header.
    const PREFIX: &'static [u8];
}

impl DigestInfo for Sha256 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
}

impl DigestInfo for Sha384 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
}

impl DigestInfo for Sha512 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
}

/// RSASSA-PKCS1-v1_5 verification: the expected encoded block is built and compared whole.
pub(crate) fn pkcs1v15_verify<D: DigestInfo>(
    key: &MontyKey,
    hash: &[u8],
    sig: &[u8],
    kernel: Kernel,
) -> bool {
    let k = key.size();
    if sig.len() != k {
        return false;
    }
    let prefix = D::PREFIX;
    let t_len = prefix.len() + hash.len();
    if k < t_len + 11 {
        return false;
    }
    let Some(em) = key.public_op(sig, kernel) else {
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
/// `sig` shorter than the modulus is left-padded (OpenSSL accepts it; see `VerifyingKey::verify`).
pub(crate) fn pss_verify<D: Digest + FixedOutputReset>(
    key: &MontyKey,
    m_hash: &[u8],
    sig: &[u8],
    kernel: Kernel,
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
    let Some(m) = key.public_op(sig, kernel) else {
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

    /// Deterministic test bytes: SHA-256 of a counter, block after block.
    struct Bytes(u64);
    impl Bytes {
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            let mut out = Vec::with_capacity(n + 32);
            while out.len() < n {
                out.extend_from_slice(&sha2::Sha256::digest(self.0.to_le_bytes()));
                self.0 += 1;
            }
            out.truncate(n);
            out
        }
    }

    /// Schoolbook reference: `base^e mod n` by repeated multiplication and long division
    /// on bytes (slow, obviously right).
    fn modexp_reference(base: &[u8], e: u64, n: &[u8]) -> Vec<u8> {
        fn mulmod(a: &[u8], b: &[u8], n: &[u8]) -> Vec<u8> {
            // Product as little-endian u32 digits, then bitwise remainder.
            let mut p = vec![0u32; a.len() + b.len()];
            for (i, &x) in a.iter().rev().enumerate() {
                let mut c = 0u32;
                for (j, &y) in b.iter().rev().enumerate() {
                    let v = p[i + j] + x as u32 * y as u32 + c;
                    p[i + j] = v & 0xff;
                    c = v >> 8;
                }
                p[i + b.len()] += c;
            }
            let prod: Vec<u8> = p.iter().rev().map(|d| *d as u8).collect();
            let mut r = vec![0u8; n.len()];
            for byte in prod {
                for bit in (0..8).rev() {
                    // r = 2r + bit, minus n if >= n
                    let mut carry = (byte >> bit) & 1;
                    for x in r.iter_mut().rev() {
                        let v = (*x as u16) << 1 | carry as u16;
                        *x = v as u8;
                        carry = (v >> 8) as u8;
                    }
                    if carry == 1 || r.as_slice() >= n {
                        let mut borrow = 0i16;
                        for (x, y) in r.iter_mut().rev().zip(n.iter().rev()) {
                            let v = *x as i16 - *y as i16 - borrow;
                            *x = v.rem_euclid(256) as u8;
                            borrow = (v < 0) as i16;
                        }
                    }
                }
            }
            r
        }
        let mut acc = vec![0u8; n.len()];
        *acc.last_mut().unwrap() = 1;
        for i in (0..64).rev() {
            acc = mulmod(&acc, &acc, n);
            if (e >> i) & 1 == 1 {
                acc = mulmod(&acc, base, n);
            }
        }
        acc
    }

    type Op = fn(&MontyKey, &[u8]) -> Option<Vec<u8>>;

    /// Every product implementation this target can run (all are tested natively, whichever
    /// one the target uses in production).
    fn kernels() -> Vec<(&'static str, Op)> {
        let mut k: Vec<(&'static str, Op)> = vec![
            ("sos-portable", |k, s| k.public_op_with::<Sos<Portable>>(s)),
            ("public_op portable", |k, s| {
                k.public_op(s, Kernel::Portable)
            }),
        ];
        if Kernel::Best.adx() {
            k.push(("public_op mulx", |k, s| k.public_op(s, Kernel::Mulx)));
        }
        #[cfg(target_arch = "x86_64")]
        if crate::ifma::available() {
            k.push(("public_op best (ifma)", |k, s| {
                assert!(k.ifma.is_some() || crate::ifma::regs_for(k.bits).is_none());
                k.public_op(s, Kernel::Best)
            }));
        }
        k.push(("fips28", |k, s| {
            k.base(s)?;
            k.fips28.as_ref()?.public_op(s)
        }));
        k.push(("public_op best", |k, s| k.public_op(s, Kernel::Best)));
        k
    }

    #[test]
    fn kernels_agree_with_schoolbook_on_random_moduli() {
        let mut rng = Bytes(0);
        // Sizes across limb counts that are and are not multiples of 4, both limb widths.
        for &bytes in &[8usize, 9, 16, 24, 33, 40, 51, 52, 64, 100, 128, 256, 257] {
            for round in 0..4 {
                let mut n = rng.bytes(bytes);
                n[0] |= 0x80;
                if round == 1 {
                    n.iter_mut().skip(1).for_each(|b| *b = 0xff); // near 2^k
                }
                *n.last_mut().unwrap() |= 1;
                for &e in &[3u64, 17, 65537, 0x1_0001_0001, 1, u64::MAX] {
                    let key = MontyKey::new(&n, &e.to_be_bytes()).unwrap();
                    let mut sig = rng.bytes(bytes);
                    sig[0] &= 0x7f;
                    if round == 2 {
                        sig = n.clone();
                        *sig.last_mut().unwrap() -= 1; // n - 1
                    }
                    let want = modexp_reference(&sig, e, &n);
                    for (name, op) in kernels() {
                        assert_eq!(
                            op(&key, &sig).as_deref(),
                            Some(want.as_slice()),
                            "{name} kernel, {bytes}-byte modulus, e = {e}"
                        );
                    }
                }
            }
        }
    }

    /// 3072- to 8192-bit moduli, either side of the IFMA limit (4158 bits) and of `fips28`'s
    /// switch to 26-bit digits (3556 bits): every kernel against the portable one (the
    /// schoolbook reference is too slow here).
    #[test]
    fn kernels_agree_on_large_moduli() {
        let mut rng = Bytes(7);
        for &bytes in &[384usize, 385, 444, 445, 511, 512, 519, 520, 1024] {
            for round in 0..2 {
                let mut n = rng.bytes(bytes);
                n[0] |= 0x80;
                *n.last_mut().unwrap() |= 1;
                for &e in &[3u64, 65537, 0x1_0001_0001] {
                    let key = MontyKey::new(&n, &e.to_be_bytes()).unwrap();
                    let mut sig = rng.bytes(bytes);
                    sig[0] &= 0x7f;
                    if round == 1 {
                        sig = n.clone();
                        *sig.last_mut().unwrap() -= 1;
                    }
                    let want = key.public_op(&sig, Kernel::Portable).unwrap();
                    for (name, op) in kernels() {
                        assert_eq!(
                            op(&key, &sig),
                            Some(want.clone()),
                            "{name}, {bytes} bytes, e = {e}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn out_of_range_signatures_are_refused() {
        let n = [0xc5u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x0b];
        let key = MontyKey::new(&n, &[1, 0, 1]).unwrap();
        assert!(key.public_op(&n, Kernel::Best).is_none()); // sig = n
        assert!(key.public_op(&[0xff; 12], Kernel::Best).is_none());
        assert!(key.public_op(&[1; 13], Kernel::Best).is_none()); // longer than the modulus
        assert_eq!(
            key.public_op(&[0], Kernel::Portable).unwrap(),
            vec![0u8; 12]
        );
        assert!(MontyKey::new(&[0x10, 0x02], &[1, 0, 1]).is_none()); // even
        assert!(MontyKey::new(&[0x10, 0x03], &[0]).is_none());
    }

    #[test]
    #[ignore]
    fn timing_probe() {
        let mut rng = Bytes(1 << 32);
        let mut n = rng.bytes(256);
        n[0] |= 0x80;
        n[255] |= 1;
        let k = MontyKey::new(&n, &[1, 0, 1]).unwrap();
        let mut sig = rng.bytes(256);
        sig[0] &= 0x7f;
        for (name, op) in kernels() {
            let mut best = core::time::Duration::MAX;
            for _ in 0..20 {
                let t = std::time::Instant::now();
                for _ in 0..500 {
                    core::hint::black_box(op(&k, core::hint::black_box(&sig)));
                }
                best = best.min(t.elapsed() / 500);
            }
            std::println!("{name}: public_op {best:?}");
        }
    }
}
