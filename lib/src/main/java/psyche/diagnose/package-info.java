/**
 * Diagnosis of a run from facts on chain (and, when given, its recorded history and treasury): why it is not
 * progressing, who is being dropped, whether it is stuck past a timeout, why epochs end early, whether the
 * treasury is running out. Each finding says what to do next.
 */
package psyche.diagnose;
