/**
 * The KKT reconstruction attack of Haim et al. (2022) with the extensions of Buzaglo et al. (2023): search
 * for inputs x_j and multipliers λ_j with θ ≈ Σ_j λ_j y_j ∇_θ f(θ; x_j), by gradient descent on the
 * stationarity residual, with a seeded random search over its hyperparameters, and the papers' evaluation.
 * The loss is defined once on the autograd engine ({@code KktLoss}); float64 runs use its hand-written gradient
 * ({@code ExplicitKktLoss}), tested equal to it.
 */
package org.imprint.attacks.reconstruction;
