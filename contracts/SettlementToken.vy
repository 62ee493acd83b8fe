# pragma version ~=0.4.0
"""
@title Datanets settlement token
@notice An ERC-20 token whose only issuer is the settlement service. Each settlement batch
        mints the amounts owed to its recipients exactly once: a batch id that was settled
        before is refused. The batch's Merkle root is stored so that any recipient can prove
        their (index, account, amount) leaf against it with `verify_proof`.
@dev Leaves are keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)),
     as in Uniswap's merkle-distributor; pairs are hashed in sorted order.
"""

MAX_RECIPIENTS: constant(uint256) = 2000
MAX_PROOF: constant(uint256) = 32

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event BatchSettled:
    batch_id: indexed(uint256)
    merkle_root: bytes32
    recipients: uint256
    total: uint256

name: public(String[32])
symbol: public(String[8])
decimals: public(constant(uint8)) = 18
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

owner: public(address)
batch_root: public(HashMap[uint256, bytes32])
batch_total: public(HashMap[uint256, uint256])
settled: HashMap[uint256, bool]


@deploy
def __init__(_name: String[32], _symbol: String[8]):
    self.name = _name
    self.symbol = _symbol
    self.owner = msg.sender


@external
@view
def is_settled(batch_id: uint256) -> bool:
    return self.settled[batch_id]


@external
def settle(batch_id: uint256, merkle_root: bytes32, recipients: DynArray[address, MAX_RECIPIENTS],
           amounts: DynArray[uint256, MAX_RECIPIENTS]):
    assert msg.sender == self.owner, "only the settlement service"
    assert not self.settled[batch_id], "batch already settled"
    assert len(recipients) == len(amounts), "recipients and amounts differ in length"
    self.settled[batch_id] = True
    self.batch_root[batch_id] = merkle_root
    total: uint256 = 0
    for i: uint256 in range(len(recipients), bound=MAX_RECIPIENTS):
        receiver: address = recipients[i]
        amount: uint256 = amounts[i]
        assert receiver != empty(address), "zero address"
        self.balanceOf[receiver] += amount
        total += amount
        log Transfer(sender=empty(address), receiver=receiver, value=amount)
    self.totalSupply += total
    self.batch_total[batch_id] = total
    log BatchSettled(batch_id=batch_id, merkle_root=merkle_root, recipients=len(recipients), total=total)


@external
@view
def verify_proof(batch_id: uint256, index: uint256, account: address, amount: uint256,
                 proof: DynArray[bytes32, MAX_PROOF]) -> bool:
    node: bytes32 = keccak256(concat(convert(index, bytes32), convert(account, bytes20), convert(amount, bytes32)))
    for sibling: bytes32 in proof:
        if convert(node, uint256) <= convert(sibling, uint256):
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
    return self.settled[batch_id] and node == self.batch_root[batch_id]


@external
def transfer(receiver: address, _value: uint256) -> bool:
    self.balanceOf[msg.sender] -= _value
    self.balanceOf[receiver] += _value
    log Transfer(sender=msg.sender, receiver=receiver, value=_value)
    return True


@external
def approve(spender: address, _value: uint256) -> bool:
    self.allowance[msg.sender][spender] = _value
    log Approval(owner=msg.sender, spender=spender, value=_value)
    return True


@external
def transferFrom(sender: address, receiver: address, _value: uint256) -> bool:
    self.allowance[sender][msg.sender] -= _value
    self.balanceOf[sender] -= _value
    self.balanceOf[receiver] += _value
    log Transfer(sender=sender, receiver=receiver, value=_value)
    return True
