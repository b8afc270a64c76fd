/**
 * The networks Imprint trains and attacks: ReLU MLPs in PyTorch's parameter layout (Linear weights
 * (out, in), state-dict names of {@code nn.Sequential}), homogeneous when only the first layer has a bias.
 */
package org.imprint.models;
