// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TestOnlyHalo2Verifier
/// @notice TEST ONLY. Mimics the interface and failure style of an EZKL-generated Halo2 verifier
/// (`verifyProof(bytes,uint256[]) returns (bool)`, reverting on a bad proof) to test EzklHalo2Adapter: accepts iff
/// the proof is keccak256(abi.encode(instances)); `mode` makes it revert with a huge payload or return odd data.
contract TestOnlyHalo2Verifier {
    enum Mode {
        Honest,
        ReturnBomb,
        ReturnTwo,
        ReturnShort
    }

    Mode public mode;

    error InvalidProof();

    function setMode(Mode m) external {
        mode = m;
    }

    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        Mode m = mode;
        if (m == Mode.ReturnBomb) {
            assembly {
                revert(0, 100000)
            }
        }
        if (m == Mode.ReturnTwo) {
            assembly {
                mstore(0, 2)
                return(0, 32)
            }
        }
        if (m == Mode.ReturnShort) {
            assembly {
                mstore(0, 1)
                return(0, 16)
            }
        }
        if (proof.length != 32 || bytes32(proof) != keccak256(abi.encode(instances))) revert InvalidProof();
        return true;
    }

    /// @notice The reusable-verifier shape (selector 0xaf83a18d): valid iff `vka` is this contract and the proof
    /// matches as above.
    function verifyProof(address vka, bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        if (vka != address(this)) revert InvalidProof();
        return this.verifyProof(proof, instances);
    }
}
