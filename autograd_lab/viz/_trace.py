"""The graph backward walks, read once into flat lists (no networkx yet, so big graphs are cheap).

A unit is a grad_fn node (standing for the op and the tensor it produced) or a leaf tensor that
requires grad. Unit 0 is the root's grad_fn, or the root tensor itself when it has no history.
"""
from .._node import Node


class Trace:
    """`units[k]`; `inputs[k]`: unit ids in argument order; `consts[k]`: inputs needing no grad;
    `users[k]`: distinct unit ids that take unit k as input; `is_op[k]`. Every unit but 0 comes
    after the user it was found from: a unit with a single user comes after it."""

    __slots__ = ("units", "inputs", "consts", "users", "is_op")

    def __init__(self, root):
        start = root.grad_fn if root.grad_fn is not None else root
        units, inputs, consts, is_op = [start], [], [], []
        index = {id(start): 0}
        k = 0
        while k < len(units):  # breadth-first: a stable order that depends only on the graph
            unit = units[k]
            ins, nconst = [], 0
            op = isinstance(unit, Node)
            if op:
                for e in unit._edges:
                    if e is None:
                        nconst += 1
                        continue
                    j = index.get(id(e))
                    if j is None:
                        j = index[id(e)] = len(units)
                        units.append(e)
                    ins.append(j)
            inputs.append(ins)
            consts.append(nconst)
            is_op.append(op)
            k += 1
        users = [[] for _ in units]
        for k, ins in enumerate(inputs):
            for j in ins:
                if not users[j] or users[j][-1] != k:
                    users[j].append(k)
        self.units, self.inputs, self.consts, self.users = units, inputs, consts, users
        self.is_op = is_op

    def size(self):
        """Nodes of the full graph model: an op node and a tensor node per op, one per leaf."""
        return len(self.units) + sum(self.is_op)
