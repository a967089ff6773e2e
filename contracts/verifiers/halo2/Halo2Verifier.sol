// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Halo2Verifier
/// @notice Circuit-independent verifier for EZKL v21 Halo2 proofs (zkonduit halo2 fork with mv-lookups, Keccak "EVM"
/// transcript, SHPLONK/BDFG21 KZG openings on BN254). Everything circuit-specific (vk digest, domain, VK and SRS
/// points, the proof layout, a postfix program computing every constraint, the SHPLONK rotation sets) comes from a
/// verifying artifact: the runtime code of data contracts written by halo2/solidity (see its README).
/// @dev Any contract can be passed as `vka`: the binding of a model to its artifact lives in the caller
/// (EzklReusableHalo2Adapter fixes one artifact per model). Invalid proofs return false; nothing here writes state.
contract Halo2Verifier {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    uint256 internal constant ARTIFACT_VERSION = 2;
    uint256 internal constant HEADER_WORDS = 38;
    // header word byte offsets (halo2/solidity/artifact.ts, H)
    uint256 internal constant H_VERSION = 0x00;
    uint256 internal constant H_DIGEST = 0x20;
    uint256 internal constant H_K = 0x40;
    uint256 internal constant H_OMEGA = 0x60;
    uint256 internal constant H_OMEGA_INV = 0x80;
    uint256 internal constant H_N_INV = 0xa0;
    uint256 internal constant H_NUM_INSTANCES = 0xc0;
    uint256 internal constant H_PROOF_LENGTH = 0xe0;
    uint256 internal constant H_SCALARS_START = 0x100;
    uint256 internal constant H_H1_OFFSET = 0x120;
    uint256 internal constant H_H_OFFSET = 0x140;
    uint256 internal constant H_H_COUNT = 0x160;
    uint256 internal constant H_BLINDING = 0x180;
    uint256 internal constant H_PROGRAM = 0x1a0;
    uint256 internal constant H_CONSTANTS = 0x1c0;
    uint256 internal constant H_SHPLONK = 0x1e0;
    uint256 internal constant H_VK_POINTS = 0x200;
    uint256 internal constant H_G1 = 0x240;
    uint256 internal constant H_NEG_G2 = 0x280;
    uint256 internal constant H_S_G2 = 0x300;
    uint256 internal constant H_CHALLENGES = 0x380;
    uint256 internal constant H_EXTRA_CHUNKS = 0x480;
    uint256 internal constant H_TOTAL_LENGTH = 0x4a0;

    // challenge indices
    uint256 internal constant C_THETA = 0;
    uint256 internal constant C_BETA = 1;
    uint256 internal constant C_GAMMA = 2;
    uint256 internal constant C_Y = 3;
    uint256 internal constant C_X = 4;
    uint256 internal constant C_SH_Y = 5;
    uint256 internal constant C_SH_V = 6;
    uint256 internal constant C_SH_U = 7;

    // program variables (artifact.ts, VAR)
    uint256 internal constant V_THETA = 0;
    uint256 internal constant V_BETA = 1;
    uint256 internal constant V_GAMMA = 2;
    uint256 internal constant V_X = 3;
    uint256 internal constant V_L0 = 4;
    uint256 internal constant V_L_LAST = 5;
    uint256 internal constant V_ACTIVE = 6;
    uint256 internal constant V_INSTANCE = 7;
    uint256 internal constant V_BETA_X = 8;

    uint256 internal constant EVAL_H = 0xffff;

    /// @dev SHPLONK working state (kept in memory to stay clear of stack limits).
    struct Shplonk {
        uint256 a; // artifact payload pointer
        uint256 proof; // calldata offset of the proof
        uint256 ptr; // read cursor in the SHPLONK section
        uint256 roots; // pointer to the ω^rotation words
        uint256 numPoints;
        uint256 x;
        uint256 xInv;
        uint256 xn;
        uint256 u;
        uint256 y;
        uint256 vPow;
        uint256 v;
        uint256 hEval;
        uint256 z0;
        uint256 zDiff0Inv;
        uint256 rOuter;
    }

    /// @notice Verifies `proof` for the public `instances` (one instance column) against the circuit described by
    /// the artifact at `vka`.
    /// @return true iff the proof is valid; false for any invalid proof, instance vector or artifact.
    function verifyProof(address vka, bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        uint256 a = _loadArtifact(vka);
        _checkInputs(a, proof, instances);
        uint256[8] memory ch = _transcript(a, proof, instances);
        uint256[16] memory vars;
        uint256[3] memory xs = _evaluateVars(a, ch, vars, instances); // xⁿ, 1/(xⁿ − 1), 1/x
        uint256 proofOff;
        assembly {
            proofOff := proof.offset
        }
        uint256 folded = _runProgram(a, proofOff, vars, ch[C_Y]);
        return _shplonk(a, proofOff, ch, xs, mulmod(folded, xs[1], R));
    }

    // ------------------------------------------------------------------------------------------------ artifact

    /// @dev Copies the artifact payload (data contracts' code minus the leading STOP byte) into memory.
    function _loadArtifact(address vka) internal view returns (uint256 a) {
        uint256 size = vka.code.length;
        if (size < 1 + 32 * HEADER_WORDS) _reject();
        bool ok = true;
        assembly ("memory-safe") {
            a := mload(0x40)
            let first := sub(size, 1)
            extcodecopy(vka, a, 1, first)
            let total := mload(add(a, H_TOTAL_LENGTH))
            let extra := mload(add(a, H_EXTRA_CHUNKS))
            if iszero(eq(mload(a), ARTIFACT_VERSION)) { ok := 0 }
            if gt(extra, 16) { ok := 0 }
            if gt(total, 0x100000) { ok := 0 }
            let off := first
            for { let i := 0 } and(ok, lt(i, extra)) { i := add(i, 1) } {
                let chunk := mload(add(a, mul(32, add(HEADER_WORDS, i))))
                let s := extcodesize(chunk)
                if iszero(s) { ok := 0 }
                if ok {
                    extcodecopy(chunk, add(a, off), 1, sub(s, 1))
                    off := add(off, sub(s, 1))
                }
            }
            if iszero(eq(off, total)) { ok := 0 }
            mstore(0x40, add(a, and(add(total, 0x3f), not(0x1f))))
        }
        if (!ok) _reject();
    }

    function _hdr(uint256 a, uint256 offset) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := mload(add(a, offset))
        }
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /// @dev Exact proof length, canonical instances and scalars, every proof point on G1 (which excludes the identity).
    function _checkInputs(uint256 a, bytes calldata proof, uint256[] calldata instances) internal pure {
        if (proof.length != _hdr(a, H_PROOF_LENGTH)) _reject();
        uint256 m = instances.length;
        if (m != _hdr(a, H_NUM_INSTANCES)) _reject();
        for (uint256 i; i < m; ++i) {
            if (instances[i] >= R) _reject();
        }
        uint256 scalarsStart = _hdr(a, H_SCALARS_START);
        uint256 h1 = _hdr(a, H_H1_OFFSET);
        bool ok = true;
        assembly ("memory-safe") {
            let p := proof.offset
            function onCurve(x, y) -> r {
                r := and(and(lt(x, Q), lt(y, Q)), eq(mulmod(y, y, Q), addmod(mulmod(mulmod(x, x, Q), x, Q), 3, Q)))
            }
            for { let o := 0 } lt(o, scalarsStart) { o := add(o, 64) } {
                ok := and(ok, onCurve(calldataload(add(p, o)), calldataload(add(p, add(o, 32)))))
            }
            for { let o := scalarsStart } lt(o, h1) { o := add(o, 32) } {
                ok := and(ok, lt(calldataload(add(p, o)), R))
            }
            ok := and(ok, onCurve(calldataload(add(p, h1)), calldataload(add(p, add(h1, 32)))))
            ok := and(ok, onCurve(calldataload(add(p, add(h1, 64))), calldataload(add(p, add(h1, 96)))))
        }
        if (!ok) _reject();
    }

    // ------------------------------------------------------------------------------------------------ transcript

    /// @dev Keccak "EVM" transcript: absorb digest, instances and the proof bytes read before each squeeze; a squeeze
    /// hashes the buffer (plus 0x01 if it is exactly 32 bytes) and the hash becomes the new buffer.
    function _transcript(uint256 a, bytes calldata proof, uint256[] calldata instances)
        internal
        pure
        returns (uint256[8] memory ch)
    {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let m := instances.length
            mstore(buf, mload(add(a, H_DIGEST)))
            calldatacopy(add(buf, 32), instances.offset, mul(m, 32))
            let prev := mload(add(a, H_CHALLENGES))
            calldatacopy(add(add(buf, 32), mul(m, 32)), proof.offset, prev)
            let len := add(add(32, mul(m, 32)), prev)
            for { let i := 0 } lt(i, 8) { i := add(i, 1) } {
                if gt(i, 0) {
                    let c := mload(add(a, add(H_CHALLENGES, mul(32, i))))
                    calldatacopy(add(buf, 32), add(proof.offset, prev), sub(c, prev))
                    len := add(32, sub(c, prev))
                    prev := c
                }
                if eq(len, 32) {
                    mstore8(add(buf, 32), 1)
                    len := 33
                }
                let h := keccak256(buf, len)
                mstore(buf, h)
                mstore(add(ch, mul(i, 32)), mod(h, R))
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ evaluations

    /// @dev Program variables at x: Lagrange values l0, l_last, the active-row factor, the instance evaluation.
    /// Every denominator is inverted in one batch (one modexp). Returns [xⁿ, 1/(xⁿ − 1), 1/x].
    function _evaluateVars(uint256 a, uint256[8] memory ch, uint256[16] memory vars, uint256[] calldata instances)
        internal
        view
        returns (uint256[3] memory xs)
    {
        uint256 x = ch[C_X];
        uint256 xn = x;
        uint256 k = _hdr(a, H_K);
        for (uint256 i; i < k; ++i) {
            xn = mulmod(xn, xn, R);
        }
        if (xn == 1) _reject();
        uint256 common = mulmod(addmod(xn, R - 1, R), _hdr(a, H_N_INV), R);
        // denominators: x − 1, blinding rows, x − ω^-(bf+1), instances, xⁿ − 1, x
        uint256[6] memory d;
        uint256[3] memory num; // blinding-rows numerator, ω^-(bf+1), instance numerator
        d[0] = addmod(x, R - 1, R);
        _blindFraction(a, x, d, num);
        _instanceFraction(x, _hdr(a, H_OMEGA), instances, d, num);
        d[4] = addmod(xn, R - 1, R);
        d[5] = x;
        _batchInvert(d);
        vars[V_THETA] = ch[C_THETA];
        vars[V_BETA] = ch[C_BETA];
        vars[V_GAMMA] = ch[C_GAMMA];
        vars[V_X] = x;
        vars[V_BETA_X] = mulmod(ch[C_BETA], x, R);
        vars[V_L0] = mulmod(common, d[0], R);
        uint256 lBlind = mulmod(mulmod(common, num[0], R), d[1], R);
        uint256 lLast = mulmod(mulmod(num[1], common, R), d[2], R);
        vars[V_L_LAST] = lLast;
        vars[V_ACTIVE] = addmod(1, R - addmod(lLast, lBlind, R), R);
        vars[V_INSTANCE] = mulmod(mulmod(common, num[2], R), d[3], R);
        xs[0] = xn;
        xs[1] = d[4];
        xs[2] = d[5];
    }

    /// @dev Σ_{i=1..bf} L_{-i}(x) / common as one fraction num[0]/d[1], and ω^-(bf+1) (num[1]) with d[2] = x − ω^-(bf+1).
    function _blindFraction(uint256 a, uint256 x, uint256[6] memory d, uint256[3] memory num) internal pure {
        uint256 omegaInv = _hdr(a, H_OMEGA_INV);
        uint256 bf = _hdr(a, H_BLINDING);
        uint256 n;
        uint256 den = 1;
        uint256 w = 1;
        for (uint256 i = 1; i <= bf; ++i) {
            w = mulmod(w, omegaInv, R);
            uint256 b = addmod(x, R - w, R);
            n = addmod(mulmod(n, b, R), mulmod(w, den, R), R);
            den = mulmod(den, b, R);
        }
        w = mulmod(w, omegaInv, R);
        num[0] = n;
        d[1] = den;
        num[1] = w;
        d[2] = addmod(x, R - w, R);
    }

    /// @dev Σ_j instance_j · ω^j / (x − ω^j) as one fraction num[2]/d[3] (times `common` it is Σ_j instance_j · L_j(x)).
    function _instanceFraction(
        uint256 x,
        uint256 omega,
        uint256[] calldata instances,
        uint256[6] memory d,
        uint256[3] memory num
    ) internal pure {
        uint256 m = instances.length;
        uint256 n;
        uint256 den = 1;
        uint256 w = 1;
        for (uint256 j; j < m; ++j) {
            uint256 b = addmod(x, R - w, R);
            n = addmod(mulmod(n, b, R), mulmod(mulmod(instances[j], w, R), den, R), R);
            den = mulmod(den, b, R);
            w = mulmod(w, omega, R);
        }
        num[2] = n;
        d[3] = den;
    }

    /// @dev Replaces every element by its inverse (Montgomery's trick, one modexp); rejects if any is zero.
    function _batchInvert(uint256[6] memory d) internal view {
        uint256[6] memory prefix;
        uint256 acc = 1;
        for (uint256 i; i < 6; ++i) {
            prefix[i] = acc;
            acc = mulmod(acc, d[i], R);
        }
        uint256 inv = _inv(acc);
        for (uint256 i = 6; i > 0; --i) {
            uint256 t = mulmod(inv, prefix[i - 1], R);
            inv = mulmod(inv, d[i - 1], R);
            d[i - 1] = t;
        }
    }

    /// @dev Runs the artifact's constraint program; returns Σ constraint_i · y^(N-1-i) (Horner fold).
    /// Operands are u16 word indices into one memory table [16 variables][16 registers][proof scalars][constants],
    /// so an operand read is one mload whatever its source. The top of the stack lives in `top`. An unknown opcode
    /// rejects the proof.
    function _runProgram(uint256 a, uint256 proofOff, uint256[16] memory vars, uint256 y)
        internal
        pure
        returns (uint256 acc)
    {
        assembly ("memory-safe") {
            let base := mload(0x40)
            mcopy(base, vars, 0x200)
            let scalars := mload(add(a, H_SCALARS_START))
            let scalarBytes := sub(mload(add(a, H_H1_OFFSET)), scalars)
            calldatacopy(add(base, 0x400), add(proofOff, scalars), scalarBytes)
            let constants := mload(add(a, H_CONSTANTS))
            let constBytes := sub(mload(add(a, H_PROGRAM)), constants)
            let constAt := add(add(base, 0x400), scalarBytes)
            mcopy(constAt, add(a, constants), constBytes)
            let ip := add(a, mload(add(a, H_PROGRAM)))
            let sp := add(constAt, constBytes)
            let top := 0
            let r := R // kept on the stack: the optimizer would otherwise reload the 32-byte constant per use
            for {} 1 {} {
                let w := mload(ip)
                switch byte(0, w)
                case 4 {
                    top := mulmod(top, mload(add(base, shl(5, and(shr(232, w), 0xffff)))), r)
                    ip := add(ip, 3)
                }
                case 1 {
                    mstore(sp, top)
                    sp := add(sp, 32)
                    top := mload(add(base, shl(5, and(shr(232, w), 0xffff))))
                    ip := add(ip, 3)
                }
                case 2 {
                    top := addmod(top, mload(add(base, shl(5, and(shr(232, w), 0xffff)))), r)
                    ip := add(ip, 3)
                }
                case 3 {
                    top := addmod(top, sub(r, mload(add(base, shl(5, and(shr(232, w), 0xffff))))), r)
                    ip := add(ip, 3)
                }
                case 7 {
                    sp := sub(sp, 32)
                    top := mulmod(mload(sp), top, r)
                    ip := add(ip, 1)
                }
                case 9 {
                    acc := addmod(mulmod(acc, y, r), top, r)
                    sp := sub(sp, 32)
                    top := mload(sp)
                    ip := add(ip, 1)
                }
                case 6 {
                    sp := sub(sp, 32)
                    top := addmod(mload(sp), sub(r, top), r)
                    ip := add(ip, 1)
                }
                case 10 {
                    mstore(add(base, shl(5, and(shr(232, w), 0xffff))), top)
                    sp := sub(sp, 32)
                    top := mload(sp)
                    ip := add(ip, 3)
                }
                case 5 {
                    sp := sub(sp, 32)
                    top := addmod(mload(sp), top, r)
                    ip := add(ip, 1)
                }
                case 8 {
                    top := mod(sub(r, top), r)
                    ip := add(ip, 1)
                }
                case 0 { break }
                default {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ SHPLONK

    function _shplonk(uint256 a, uint256 proofOff, uint256[8] memory ch, uint256[3] memory xs, uint256 hEval)
        internal
        view
        returns (bool)
    {
        Shplonk memory s;
        s.a = a;
        s.proof = proofOff;
        s.ptr = a + _hdr(a, H_SHPLONK);
        s.numPoints = _u8(s.ptr);
        s.roots = s.ptr + 1;
        s.ptr = s.roots + 32 * s.numPoints;
        s.x = ch[C_X];
        s.xInv = xs[2];
        s.xn = xs[0];
        s.y = ch[C_SH_Y];
        s.v = ch[C_SH_V];
        s.u = ch[C_SH_U];
        s.vPow = 1;
        s.hEval = hEval;
        uint256[2] memory acc; // running MSM (identity = 0,0)
        uint256 numSets = _u8(s.ptr);
        s.ptr += 1;
        for (uint256 i; i < numSets; ++i) {
            _rotationSet(s, i, acc);
        }
        uint256 h1 = proofOff + _hdr(a, H_H1_OFFSET);
        _mulAdd(acc, _hdr(a, H_G1), _hdr(a, H_G1 + 32), (R - s.rOuter) % R);
        _mulAdd(acc, _cd(h1), _cd(h1 + 32), (R - s.z0) % R);
        _mulAdd(acc, _cd(h1 + 64), _cd(h1 + 96), s.u);
        return _pairing(a, h1 + 64, acc);
    }

    /// @dev One rotation set: its scale v^i·z_diff_i/z_diff_0, the interpolated value of each commitment at u,
    /// and each commitment added to the MSM with coefficient y^j·scale.
    function _rotationSet(Shplonk memory s, uint256 setIndex, uint256[2] memory acc) internal view {
        uint256 m = _u8(s.ptr);
        uint256 idx = s.ptr + 1;
        uint256 cPtr = idx + m;
        s.ptr = cPtr + 32 * m;
        uint256[] memory pts = new uint256[](m);
        uint256 mask;
        for (uint256 k; k < m; ++k) {
            uint256 p = _u8(idx + k);
            mask |= 1 << p;
            pts[k] = mulmod(s.x, _word(s.roots + 32 * p), R);
        }
        uint256 zDiff = 1;
        for (uint256 p; p < s.numPoints; ++p) {
            if (mask & (1 << p) == 0) {
                zDiff = mulmod(zDiff, addmod(s.u, R - mulmod(s.x, _word(s.roots + 32 * p), R), R), R);
            }
        }
        uint256 scale;
        if (setIndex == 0) {
            uint256 z0 = 1;
            for (uint256 k; k < m; ++k) {
                z0 = mulmod(z0, addmod(s.u, R - pts[k], R), R);
            }
            s.z0 = z0;
            if (zDiff == 0) _reject();
            s.zDiff0Inv = _inv(zDiff);
            scale = 1;
        } else {
            scale = mulmod(mulmod(s.vPow, zDiff, R), s.zDiff0Inv, R);
        }
        uint256 rInner = _commitments(s, acc, _weights(s, pts, cPtr), scale);
        s.rOuter = addmod(s.rOuter, mulmod(rInner, scale, R), R);
        s.vPow = mulmod(s.vPow, s.v, R);
    }

    /// @dev The set's commitments: Σ_j y^j · r_j(u) (returned), where r_j(u) = Σ_k w_k · eval_jk, and each base
    /// added to the MSM with y^j·scale (the quotient h as Σ_t xⁿᵗ·h_t). One assembly loop: this runs once per
    /// opened commitment.
    function _commitments(Shplonk memory s, uint256[2] memory acc, uint256[] memory w, uint256 scale)
        internal
        view
        returns (uint256 rInner)
    {
        bool ok = true;
        assembly ("memory-safe") {
            // acc += k·(px, py) with the 0x07 (mul) and 0x06 (add) precompiles, using scratch memory
            function mulAdd(accp, px, py, k) -> success {
                let scr := mload(0x40)
                mstore(scr, px)
                mstore(add(scr, 0x20), py)
                mstore(add(scr, 0x40), k)
                success := staticcall(gas(), 0x07, scr, 0x60, scr, 0x40)
                mstore(add(scr, 0x40), mload(accp))
                mstore(add(scr, 0x60), mload(add(accp, 0x20)))
                success := and(success, staticcall(gas(), 0x06, scr, 0x80, accp, 0x40))
            }
            // Σ_k w_k · eval_k, reading m u16 evaluation sources at ptr (EVAL_H = the quotient's value)
            function interpolate(ptr, weights, proofOff, hEval) -> rv, next {
                let m := mload(weights)
                for { let k := 0 } lt(k, m) { k := add(k, 1) } {
                    let src := shr(240, mload(ptr))
                    ptr := add(ptr, 2)
                    let e := hEval
                    if iszero(eq(src, EVAL_H)) { e := calldataload(add(proofOff, src)) }
                    rv := addmod(rv, mulmod(mload(add(add(weights, 0x20), shl(5, k))), e, R), R)
                }
                next := ptr
            }
            // base kinds: 0 proof point at offset ref, 1 VK point ref, 2 the quotient Σ_t xⁿᵗ·h_t
            function addBase(st, accp, kind, ref, coef) -> success {
                let a := mload(st)
                let proofOff := mload(add(st, 0x20))
                switch kind
                case 0 {
                    let p := add(proofOff, ref)
                    success := mulAdd(accp, calldataload(p), calldataload(add(p, 0x20)), coef)
                }
                case 1 {
                    let p := add(add(a, mload(add(a, H_VK_POINTS))), shl(6, ref))
                    success := mulAdd(accp, mload(p), mload(add(p, 0x20)), coef)
                }
                case 2 {
                    let hOff := add(proofOff, mload(add(a, H_H_OFFSET)))
                    let hCount := mload(add(a, H_H_COUNT))
                    let xn := mload(add(st, 0xe0))
                    success := 1
                    for { let t := 0 } lt(t, hCount) { t := add(t, 1) } {
                        let p := add(hOff, shl(6, t))
                        success := and(success, mulAdd(accp, calldataload(p), calldataload(add(p, 0x20)), coef))
                        coef := mulmod(coef, xn, R)
                    }
                }
                default { success := 0 }
            }
            // Shplonk field offsets: a 0x00, proof 0x20, ptr 0x40, xn 0xe0, y 0x120, hEval 0x180
            let ptr := mload(add(s, 0x40))
            let nc := byte(0, mload(ptr))
            ptr := add(ptr, 1)
            let yPow := 1
            for { let j := 0 } lt(j, nc) { j := add(j, 1) } {
                let head := mload(ptr)
                let rv
                rv, ptr := interpolate(add(ptr, 3), w, mload(add(s, 0x20)), mload(add(s, 0x180)))
                rInner := addmod(rInner, mulmod(yPow, rv, R), R)
                ok := and(ok, addBase(s, acc, byte(0, head), and(shr(232, head), 0xffff), mulmod(yPow, scale, R)))
                yPow := mulmod(yPow, mload(add(s, 0x120)), R)
            }
            mstore(add(s, 0x40), ptr)
        }
        if (!ok) _reject();
    }

    /// @dev Lagrange weights at u over the set's points x·ω^r_k: C_k · x^-(m-1) · Π_{l≠k} (u − p_l).
    function _weights(Shplonk memory s, uint256[] memory pts, uint256 cPtr) internal pure returns (uint256[] memory w) {
        uint256 m = pts.length;
        w = new uint256[](m);
        uint256 xInvPow = 1;
        for (uint256 k = 1; k < m; ++k) {
            xInvPow = mulmod(xInvPow, s.xInv, R);
        }
        for (uint256 k; k < m; ++k) {
            uint256 t = mulmod(_word(cPtr + 32 * k), xInvPow, R);
            for (uint256 l; l < m; ++l) {
                if (l != k) t = mulmod(t, addmod(s.u, R - pts[l], R), R);
            }
            w[k] = t;
        }
    }

    // ------------------------------------------------------------------------------------------------ precompiles

    /// @dev acc += k·(px, py) via the BN254 precompiles 0x07 (mul) and 0x06 (add).
    function _mulAdd(uint256[2] memory acc, uint256 px, uint256 py, uint256 k) internal view {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, px)
            mstore(add(m, 0x20), py)
            mstore(add(m, 0x40), k)
            ok := staticcall(gas(), 0x07, m, 0x60, m, 0x40)
            mstore(add(m, 0x40), mload(acc))
            mstore(add(m, 0x60), mload(add(acc, 0x20)))
            ok := and(ok, staticcall(gas(), 0x06, m, 0x80, acc, 0x40))
        }
        if (!ok) _reject();
    }

    /// @dev e(h2, s_g2) · e(acc, −g2) == 1.
    function _pairing(uint256 a, uint256 h2, uint256[2] memory acc) internal view returns (bool result) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, calldataload(h2))
            mstore(add(m, 0x20), calldataload(add(h2, 0x20)))
            mcopy(add(m, 0x40), add(a, H_S_G2), 0x80)
            mstore(add(m, 0xc0), mload(acc))
            mstore(add(m, 0xe0), mload(add(acc, 0x20)))
            mcopy(add(m, 0x100), add(a, H_NEG_G2), 0x80)
            ok := staticcall(gas(), 0x08, m, 0x180, m, 0x20)
            result := and(ok, eq(mload(m), 1))
        }
    }

    /// @dev a^(r-2) mod r via the modexp precompile (0x05); callers never pass 0.
    function _inv(uint256 v) internal view returns (uint256 r) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), v)
            mstore(add(m, 0x80), sub(R, 2))
            mstore(add(m, 0xa0), R)
            ok := staticcall(gas(), 0x05, m, 0xc0, m, 0x20)
            r := mload(m)
        }
        if (!ok || v == 0) _reject();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    function _u8(uint256 p) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := byte(0, mload(p))
        }
    }

    function _u16(uint256 p) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(240, mload(p))
        }
    }

    function _word(uint256 p) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := mload(p)
        }
    }

    function _cd(uint256 p) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := calldataload(p)
        }
    }

    /// @dev Ends the call returning ABI-encoded false, from any depth.
    function _reject() internal pure {
        assembly ("memory-safe") {
            mstore(0, 0)
            return(0, 0x20)
        }
    }
}
