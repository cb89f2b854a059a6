"""The shop's tables, their columns and the data dictionary.

One declaration serves three purposes: the dtypes every loader casts to, the data dictionary
shown to learners (Chinese name, meaning, unit), and the order of columns in saved files.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds and the pandas dtype each is stored as.
KIND_DTYPES = {
    "id": "str",
    "str": "str",
    "int": "int64",
    "nullable_int": "Int64",
    "float": "float64",
    "money": "float64",
    "bool": "bool",
    "nullable_bool": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    zh: str
    meaning: str
    unit: str = ""
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    meaning: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column

TABLES: dict[str, Table] = {}


def _table(name, zh, meaning, key, *columns):
    TABLES[name] = Table(name, zh, meaning, tuple(key), tuple(columns))


_table(
    "customers", "客户表", "每位注册客户一行：基本信息、来源渠道、平台标签。", ["customer_id"],
    C("customer_id", "id", "客户ID", "店铺内客户编号，全表唯一"),
    C("nickname", "str", "昵称", "客户在平台上的昵称（旺旺名）"),
    C("name", "str", "姓名", "收货人姓名（合成数据，非真实个人）"),
    C("gender", "str", "性别", "男 或 女"),
    C("birthday", "date", "生日", "出生日期，用于生日关怀与年龄分析"),
    C("province", "str", "省份", "收货地址所在省级行政区"),
    C("city", "str", "城市", "收货地址所在城市，必属于该省份"),
    C("phone", "str", "手机号", "已脱敏的手机号，格式 138****1234"),
    C("id_number", "str", "身份证号", "已脱敏的身份证号，只保留前 2 位和后 2 位"),
    C("register_date", "date", "注册日期", "客户第一次进店并成为店铺客户的日期"),
    C("acquisition_channel", "str", "获客渠道", "客户第一次进店的流量渠道"),
    C("acquisition_sub_channel", "str", "获客子渠道", "获客渠道下的细分来源"),
    C("referrer_id", "id", "推荐人ID", "老客推荐（裂变）进店时推荐人的客户ID，其余为空",
      nullable=True),
    C("credit_points", "int", "买家信用积分", "平台全站评价积分：好评 +1、中评 0、差评 -1", "分"),
    C("credit_level", "str", "买家信用等级", "由信用积分换算：无、1心–5心、1钻–5钻、1冠–5冠、金冠"),
    C("is_88vip", "bool", "是否88VIP", "是否开通平台 88VIP 会员（可享 9.5 折）"),
    C("is_member", "bool", "是否店铺会员", "是否已加入本店会员（入会）"),
    C("member_join_date", "date", "入会日期", "加入本店会员的日期，未入会为空", nullable=True),
)

_table(
    "products", "商品表", "店铺在售商品，每件商品一行。", ["product_id"],
    C("product_id", "id", "商品ID", "商品编号"),
    C("name", "str", "商品名称", "商品标题"),
    C("category", "str", "类目", "商品所属类目"),
    C("list_price", "money", "标价", "商品的日常售价", "元"),
    C("unit_cost", "money", "成本价", "每件商品的进货与包装成本", "元"),
    C("launch_date", "date", "上架日期", "商品第一次上架销售的日期"),
    C("double_growth", "bool", "双倍成长值", "购买该商品是否获得双倍会员成长值"),
)

_table(
    "visits", "访问表", "客户每次进店访问一行，记录流量来源与是否成交。", ["visit_id"],
    C("visit_id", "id", "访问ID", "访问编号"),
    C("customer_id", "id", "客户ID", "访问的客户"),
    C("visit_time", "datetime", "访问时间", "进店时间"),
    C("channel_group", "str", "来源类型", "站内免费、站内付费、平台活动、内容渠道、站外、社交裂变"),
    C("channel", "str", "渠道", "流量渠道，如 搜索、直通车、淘宝客"),
    C("sub_channel", "str", "子渠道", "渠道下的细分来源，如 精准搜索、泛需求搜索"),
    C("pages_viewed", "int", "浏览页数", "本次访问浏览的页面数", "页"),
    C("stay_seconds", "int", "停留时长", "本次访问的停留时间", "秒"),
    C("order_id", "id", "成交订单ID", "本次访问带来的订单，未成交为空", nullable=True),
)

_table(
    "orders", "订单表", "每笔已付款订单一行。", ["order_id"],
    C("order_id", "id", "订单ID", "订单编号"),
    C("customer_id", "id", "客户ID", "下单客户"),
    C("order_time", "datetime", "下单时间", "付款成功的时间"),
    C("channel_group", "str", "来源类型", "带来本单的访问的来源类型"),
    C("channel", "str", "渠道", "带来本单的访问的渠道"),
    C("sub_channel", "str", "子渠道", "带来本单的访问的子渠道"),
    C("n_items", "int", "商品件数", "本单所有商品的件数合计", "件"),
    C("gross_amount", "money", "商品总额", "优惠前的商品金额合计，等于订单明细金额之和", "元"),
    C("discount_amount", "money", "优惠金额", "优惠券、满减、88VIP 折扣等优惠合计", "元"),
    C("paid_amount", "money", "实付金额", "商品总额减优惠金额", "元"),
    C("coupon", "str", "优惠方式", "本单使用的优惠，未使用为空", nullable=True),
    C("campaign_id", "id", "营销活动ID", "由短信触达活动带来的订单，其余为空", nullable=True),
    C("is_presale", "bool", "是否预售", "是否为大促预售订单：先付定金、在尾款期付清的订单，下单时间记为付尾款的时间（如 2024 年双11 的尾款期从 10 月 21 日 20:00 开始）"),
    C("status", "str", "订单状态", "交易成功、部分退款、退款成功、已发货（数据截止时在途）"),
    C("refund_amount", "money", "退款金额", "已退给客户的金额，不超过实付金额", "元"),
    C("refund_reason", "str", "退款原因",
      "有退款时买家选择的原因：尺码不合适、色差、质量问题、与描述不符、不想要了、拍错/多拍、"
      "发货太慢；没有退款为空。退货率是合成数据的假设（见 ShopConfig.returns）：网上女装的"
      "退货率公开报道为 30%（2019 年）到 50–60%（2025 年），直播带货更高，其他类目低得多；"
      "本店女装约 35%、直播/短视频订单再乘 1.5", nullable=True),
    C("promised_date", "date", "承诺送达日期", "下单时承诺的最晚送达日期"),
    C("delivered_date", "date", "签收日期", "客户签收的日期；未发货即退款或仍在途为空",
      nullable=True),
    C("delivery_delay_days", "nullable_int", "延迟天数", "签收日期减承诺日期，大于 0 表示延迟",
      "天", nullable=True),
)

_table(
    "order_items", "订单明细表", "订单里的每种商品一行。", ["order_id", "line_no"],
    C("order_id", "id", "订单ID", "所属订单"),
    C("line_no", "int", "行号", "明细在订单内的序号，从 1 开始"),
    C("product_id", "id", "商品ID", "购买的商品"),
    C("quantity", "int", "数量", "购买件数", "件"),
    C("unit_price", "money", "成交单价", "本单中该商品的单价（活动期可能低于标价）", "元"),
    C("line_amount", "money", "明细金额", "成交单价乘以数量", "元"),
)

_table(
    "service_chats", "客服会话表", "客户与客服的每次会话一行（售前、售中、售后）。",
    ["chat_id"],
    C("chat_id", "id", "会话ID", "会话编号"),
    C("customer_id", "id", "客户ID", "发起会话的客户"),
    C("order_id", "id", "订单ID", "会话涉及的订单；售前询单未下单为空", nullable=True),
    C("stage", "str", "阶段", "售前、售中、售后"),
    C("topic", "str", "咨询主题", "会话的主要问题"),
    C("start_time", "datetime", "开始时间", "客户发出第一条消息的时间"),
    C("first_response_seconds", "int", "首次响应时长", "客服第一次回复用时", "秒"),
    C("resolved", "bool", "是否解决", "会话结束时问题是否解决"),
    C("satisfaction", "nullable_int", "满意度评价", "客户对本次服务的评价，1–5 分，未评价为空",
      "分", nullable=True),
    C("agent", "str", "客服", "接待客服的昵称"),
)

_table(
    "reviews", "评价表", "客户对已签收订单的评价，每条一行。", ["review_id"],
    C("review_id", "id", "评价ID", "评价编号"),
    C("order_id", "id", "订单ID", "被评价的订单"),
    C("customer_id", "id", "客户ID", "评价的客户"),
    C("product_id", "id", "商品ID", "被评价的商品（订单的第一件商品）"),
    C("review_date", "date", "评价日期",
      "发表评价的日期，晚于签收日期；默认好评在签收后第 15 天"),
    C("stars", "int", "星级", "1–5 星；4–5 星为好评，3 星为中评，1–2 星为差评", "星"),
    C("has_photo", "bool", "是否晒单", "评价是否附带买家秀图片"),
    C("text", "str", "评价内容", "评价文字；默认好评为“系统默认好评”"),
    C("shop_replied", "bool", "商家是否回复", "店铺是否回复了这条评价"),
    C("is_default", "bool", "是否默认好评",
      "按淘宝规则，买家签收后 15 天内未评价，系统自动给出 5 星好评。自己写的评价更挑剔；"
      "延迟送达的订单平均少约 1.7 星（Olist 数据分析的公开结论）"),
)

_table(
    "campaigns", "营销活动表", "店铺做过的每次短信触达活动一行。", ["campaign_id"],
    C("campaign_id", "id", "活动ID", "活动编号"),
    C("name", "str", "活动名称", "如 短信触达0216"),
    C("channel", "str", "触达方式", "短信"),
    C("crowd", "str", "目标人群", "活动选择的人群"),
    C("offer", "str", "优惠内容", "随短信发放的优惠"),
    C("message", "str", "短信内容", "发送的短信文字"),
    C("send_time", "datetime", "发送时间", "短信发送时间"),
    C("control_share", "float", "对照组比例", "目标人群中随机留作对照组、不发送短信的比例"),
    C("cost_per_message", "money", "单条成本", "每条短信的费用", "元"),
    C("window_days", "int", "观察天数", "发送后统计转化的天数", "天"),
)

_table(
    "campaign_contacts", "活动触达明细表", "活动目标人群中的每位客户一行。",
    ["campaign_id", "customer_id"],
    C("campaign_id", "id", "活动ID", "所属活动"),
    C("customer_id", "id", "客户ID", "目标客户"),
    C("group", "str", "分组", "实验组（发送短信）或 对照组（不发送）"),
    C("delivered", "bool", "是否送达", "短信是否送达；对照组为 False"),
    C("clicked", "bool", "是否点击", "是否点击了短信中的链接；对照组为 False"),
    C("converted", "bool", "是否转化", "观察期内是否下单（两组都统计）"),
    C("order_id", "id", "转化订单ID", "观察期内的第一笔订单，未转化为空", nullable=True),
    C("revenue", "money", "转化金额", "观察期内所有订单的实付金额", "元"),
)

_table(
    "communities", "社群表", "店铺运营的每个社群或账号一行。", ["community_id"],
    C("community_id", "id", "社群ID", "社群编号"),
    C("platform", "str", "平台", "千牛群、QQ群、微信群、公众号、视频号、抖音群"),
    C("name", "str", "社群名称", "社群的名字"),
    C("created_date", "date", "创建日期", "社群创建的日期"),
    C("purpose", "str", "定位", "社群的主要用途"),
)

_table(
    "community_members", "社群成员表", "每位客户在每个社群的成员关系一行。",
    ["community_id", "customer_id"],
    C("community_id", "id", "社群ID", "所属社群"),
    C("customer_id", "id", "客户ID", "成员客户"),
    C("join_date", "date", "入群日期", "加入社群的日期"),
    C("messages", "int", "发言数", "数据期内在群里的发言条数", "条"),
    C("last_active_date", "date", "最近活跃日期", "最后一次发言或互动的日期", nullable=True),
)

_table(
    "surveys", "满意度调研表", "售后满意度调研的每份回答一行。", ["survey_id"],
    C("survey_id", "id", "问卷ID", "问卷编号"),
    C("customer_id", "id", "客户ID", "回答的客户"),
    C("order_id", "id", "订单ID", "调研针对的订单"),
    C("survey_date", "date", "回答日期", "客户提交问卷的日期"),
    C("csat", "int", "满意度", "对本次购物的满意度，1–5 分", "分"),
    C("nps", "int", "推荐意愿",
      "“您有多大可能把本店推荐给朋友？”0–10 分。假设：经营正常的淘宝店 NPS 约为 +20 到 +40，"
      "延迟送达和未解决的售后问题会明显拉低评分", "分"),
)

_table(
    "channel_costs", "渠道费用表", "付费渠道每月的推广费用一行。", ["month", "channel"],
    C("month", "str", "月份", "格式 YYYY-MM"),
    C("channel", "str", "渠道", "付费流量渠道"),
    C("visits", "int", "访问次数", "该渠道当月带来的访问", "次"),
    C("spend", "money", "推广费用", "该渠道当月的花费", "元"),
)

_table(
    "truth", "真实画像表（隐藏）",
    "每位客户的潜在特征，是模拟的“真相”：分析时只用可观察的表，用它来检验结论。",
    ["customer_id"],
    C("customer_id", "id", "客户ID", "客户"),
    C("purchase_rate", "float", "购买率",
      "活跃期间平均每年的购买次数（BG/NBD 模型的 λ，不含以退款成功结束的订单）", "次/年"),
    C("dropout_prob", "float", "流失概率",
      "每次复购后永久流失的基础概率（BG/NBD 模型的 p；首单之后不会流失）。实际概率还要乘以"
      "体验的影响（假设，见 ShopConfig.experience）：本单或上一单体验差（延迟送达、售后未解决）"
      "×2，满意度倾向低于 0.45 的客户 ×3，高于 0.85 的客户 ×0.8，加入社群的客户再降低 15%。"
      "依据：投诉与流失研究普遍发现，不满意对流失的影响远大于满意对留存的影响"),
    C("spend_level", "money", "消费水平", "该客户每单的期望金额", "元"),
    C("price_sensitivity", "float", "价格敏感度", "0–1，越高越依赖优惠"),
    C("shopping_style", "str", "购物风格", "冲动型、理性对比型、忠诚复购型"),
    C("satisfaction", "float", "满意度倾向",
      "0–1，客户对店铺体验的总体满意倾向；很低时明显更容易流失，很高时只稍微不容易流失"),
    C("offer_uplift", "float", "触达增益",
      "短信优惠送达后，一位本来不会购买、仍活跃（或是潜在客户）的客户因此在观察期内下单的"
      "真实概率；已流失的老客户不会响应。一个人群的真实增益约为 0.3–1.5 个百分点（假设，见 "
      "ShopConfig.campaigns；参照 MineThatData 公开的随机邮件实验：两周转化率提升 0.3–0.7 个"
      "百分点）"),
    C("prospect", "bool", "潜在客户",
      "注册了但自己不会下单的客户（流失日期记为注册日）；短信优惠仍可能带来一笔订单，概率较小"
      "（流失日期随之记为那一单的日期）"),
    C("bad_experiences", "int", "不良体验次数", "延迟送达或售后问题未解决的次数", "次"),
    C("alive_at_end", "bool", "期末仍活跃",
      "数据截止时是否仍是活跃客户（没有流失）；活跃不等于会买，购买率很低的活跃客户可能多年"
      "不下单，检验“会不会再买”请用下面两列"),
    C("expected_purchases_next_year", "float", "来年期望购买次数",
      "数据截止后一年内的期望购买次数：按真实购买率、流失概率和是否仍活跃计算，已计入来年"
      "日历（618、双11、春节）的忙闲；已流失的客户为 0；不含短信活动带来的购买", "次"),
    C("will_buy_next_year", "float", "来年购买概率",
      "数据截止后一年内至少购买一次的概率（已流失的客户为 0），用来检验流失预测和 CLV"),
    C("dropout_date", "date", "流失日期",
      "客户永久流失的日期（最后一次购买的日期，流失发生在这次购买之后；从未购买的客户为注册"
      "日期）；仍活跃为空",
      nullable=True),
)

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
OBSERVABLE_TABLES: tuple[str, ...] = tuple(n for n in TABLE_NAMES if n != "truth")


def dictionary_frame(tables=None):
    """The data dictionary as a DataFrame; examples are taken from `tables` when given."""
    import pandas as pd

    rows = []
    for table in TABLES.values():
        frame = None if tables is None else tables.get(table.name)
        for col in table.columns:
            example = ""
            if frame is not None and col.name in frame and len(frame):
                values = frame[col.name].dropna()
                if len(values):
                    example = _format_example(values.iloc[0], col.kind)
            rows.append(
                {
                    "table": table.name,
                    "table_zh": table.zh,
                    "column": col.name,
                    "column_zh": col.zh,
                    "meaning": col.meaning,
                    "unit": col.unit,
                    "dtype": KIND_DTYPES[col.kind],
                    "nullable": col.nullable,
                    "example": example,
                }
            )
    return pd.DataFrame(rows)


def _format_example(value, kind: str) -> str:
    if kind == "date":
        return value.strftime("%Y-%m-%d")
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind == "money":
        return f"{value:.2f}"
    return str(value)
