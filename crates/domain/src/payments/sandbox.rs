//! The sandbox provider's documented outcomes. It moves no money and settles at once,
//! except for amounts chosen to fail, so that a client can exercise every branch of its
//! payment screens without a provider account (documented in docs/payments.md).
//!
//! The rule looks at the last two digits of the amount in minor units, whatever the
//! currency: prices ending in `00` (the common case) always succeed.

/// What the sandbox does with a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxCharge {
    /// Paid at once.
    Succeeds,
    /// Declined with this provider-style code (`card_declined`, `insufficient_funds`).
    Declined(&'static str),
}

/// What the sandbox does with a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxRefund {
    /// Refunded at once.
    Succeeds,
    /// Fails every time it is tried, so that the retry and parking path can be seen.
    Fails,
}

/// The outcome of charging `amount_minor`: ending in `02` is declined
/// (`card_declined`), ending in `05` lacks funds (`insufficient_funds`), anything else
/// succeeds.
pub fn sandbox_charge(amount_minor: i64) -> SandboxCharge {
    match amount_minor % 100 {
        2 => SandboxCharge::Declined("card_declined"),
        5 => SandboxCharge::Declined("insufficient_funds"),
        _ => SandboxCharge::Succeeds,
    }
}

/// The outcome of refunding `amount_minor`: ending in `13` fails, anything else succeeds.
pub fn sandbox_refund(amount_minor: i64) -> SandboxRefund {
    if amount_minor % 100 == 13 {
        SandboxRefund::Fails
    } else {
        SandboxRefund::Succeeds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_amounts_fail_and_round_prices_succeed() {
        assert_eq!(sandbox_charge(49_900), SandboxCharge::Succeeds);
        assert_eq!(
            sandbox_charge(1_002),
            SandboxCharge::Declined("card_declined")
        );
        assert_eq!(
            sandbox_charge(1_005),
            SandboxCharge::Declined("insufficient_funds")
        );
        assert_eq!(sandbox_charge(0), SandboxCharge::Succeeds);
        assert_eq!(sandbox_refund(1_013), SandboxRefund::Fails);
        assert_eq!(sandbox_refund(1_000), SandboxRefund::Succeeds);
    }
}
