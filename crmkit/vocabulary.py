"""网店的共用词汇：订单状态、实验组/对照组、优惠写法。生成器和分析模块都从这里取，只定义一次。

This is the bottom layer (with ``errors`` and ``validate``): it imports nothing else from
crmkit, so the generator (``crmkit.synth``) and the analysis modules can both depend on it
without depending on each other. The promotion calendar lives beside it in
``crmkit.promo_calendar``.
"""

from __future__ import annotations

import re

from .errors import CrmkitError

# ---- order statuses (orders.status) --------------------------------------------------------

#: Paid and received; the normal end of an order.
COMPLETED = "交易成功"
#: Shipped but not yet received when the data ends.
SHIPPED = "已发货"
#: Fully refunded (仅退款 before shipping, or 退货退款): does not count as a purchase.
REFUNDED = "退款成功"
#: Part of the amount refunded; the order still counts as a purchase.
PARTIALLY_REFUNDED = "部分退款"
ORDER_STATUSES: tuple[str, ...] = (COMPLETED, SHIPPED, REFUNDED, PARTIALLY_REFUNDED)

# ---- campaign arms (campaign_contacts.group) -----------------------------------------------

#: Receives the message.
TREATMENT = "实验组"
#: Randomly held out and sent nothing: shows what the crowd does without the message.
CONTROL = "对照组"
GROUPS: tuple[str, ...] = (TREATMENT, CONTROL)

# ---- offers -------------------------------------------------------------------------------

#: A message without a coupon (a plain reminder).
NO_OFFER = "无优惠"
_NUMBER = r"(\d+(?:\.\d+)?)"


def offer_terms(offer: str) -> tuple[float, float]:
    """优惠的门槛和减免金额（元）：“满150减20”为 (150, 20)，“无门槛10元券”为 (0, 10)，“无优惠”为 (0, 0)。

    >>> offer_terms("满150减20"), offer_terms("无门槛10元券"), offer_terms("无优惠")
    ((150.0, 20.0), (0.0, 10.0), (0.0, 0.0))
    >>> offer_terms("打八折")
    Traceback (most recent call last):
    ...
    crmkit.errors.CrmkitError: 看不懂优惠 '打八折'。请写成 '满150减20'、'无门槛10元券' 或 '无优惠'。
    """
    if not isinstance(offer, str) or not offer:
        raise CrmkitError(f"优惠应写成文字，如 '满150减20'、'无门槛10元券' 或 '{NO_OFFER}'，"
                          f"实际是 {offer!r}。")
    if offer == NO_OFFER:
        return 0.0, 0.0
    m = re.fullmatch(f"满{_NUMBER}减{_NUMBER}", offer)
    if m:
        if float(m.group(2)) >= float(m.group(1)):
            raise CrmkitError(f"优惠 '{offer}' 的减免金额不能不小于门槛。")
        return float(m.group(1)), float(m.group(2))
    m = re.fullmatch(f"无门槛{_NUMBER}元券", offer)
    if m:
        return 0.0, float(m.group(1))
    raise CrmkitError(f"看不懂优惠 '{offer}'。请写成 '满150减20'、'无门槛10元券' 或 '{NO_OFFER}'。")


def offer_value(offer: str) -> float:
    """一张优惠券在一笔转化订单上让利多少元：“满150减20”为 20，“无门槛10元券”为 10，“无优惠”为 0。

    >>> offer_value("满150减20"), offer_value("无门槛10元券"), offer_value("无优惠")
    (20.0, 10.0, 0.0)
    """
    return offer_terms(offer)[1]
