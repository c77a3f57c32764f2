package cpi.train;

/**
 * One optimizer step. loss is the mean token loss over the batch's response tokens; gradNorm the global
 * norm before clipping; skipped is true when the loss or gradient was not finite and no update happened.
 *
 * @param step the number of completed updates after this call (unchanged when skipped)
 */
public record StepResult(long step, double loss, double gradNorm, double lr, int tokens, int lossTokens,
                         int microBatches, boolean skipped) {}
