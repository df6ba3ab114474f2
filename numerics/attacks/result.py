"""The result object shared by all attacks."""
from antagonism._core.result import Result


class AttackResult(Result):
    """Outcome of an attack.

    Keys
    ----
    x_adv : ndarray -- adversarial inputs, same shape as the inputs
    success : ndarray of bool -- decision flipped, per sample
    loss : ndarray -- final loss per sample
    loss_history : ndarray (steps, batch) -- loss per step (best restart)
    attack : str; eps : float; norm : {"inf", "2"}; seed : int or None
    """
