"""Provinces (names from Faker's zh_CN locale), their cities and their share of online buyers,
and how long a parcel takes to reach them.

Each entry: province -> (ID-number prefix, relative weight of online shoppers, cities with
relative weights). The first city listed is the capital or the largest city.

Delivery (labelled assumption, no single public source): the shop ships from 浙江 (杭州), like
most Taobao fashion shops. Express parcels reach 江浙沪皖 in one to two days, the rest of the
coast and the centre in two to three, the north-east and south-west in about three, and the
remote north-west and west (内蒙古, 甘肃, 宁夏, 青海, 新疆, 西藏) in four to five, where couriers
also miss their promised date more often (fewer flights, long trunk routes, 偏远地区 surcharges).
"""

from __future__ import annotations

import numpy as np

PROVINCES: dict[str, tuple[str, float, tuple[tuple[str, float], ...]]] = {
    "广东省": ("44", 13.0, (("广州市", 30), ("深圳市", 30), ("东莞市", 12), ("佛山市", 12),
                          ("惠州市", 6), ("汕头市", 5), ("潮州市", 2))),
    "浙江省": ("33", 8.0, (("杭州市", 35), ("宁波市", 20), ("温州市", 16), ("金华市", 12),
                         ("嘉兴市", 9), ("绍兴市", 8))),
    "江苏省": ("32", 8.5, (("南京市", 22), ("苏州市", 26), ("无锡市", 14), ("常州市", 10),
                         ("南通市", 10), ("徐州市", 10), ("淮安市", 5), ("张家港市", 3))),
    "山东省": ("37", 6.5, (("济南市", 25), ("青岛市", 30), ("烟台市", 14), ("潍坊市", 14),
                         ("临沂市", 17))),
    "河南省": ("41", 5.5, (("郑州市", 40), ("洛阳市", 18), ("南阳市", 14), ("新乡市", 14),
                         ("商丘市", 14))),
    "四川省": ("51", 5.5, (("成都市", 60), ("绵阳市", 12), ("南充市", 10), ("宜宾市", 9),
                         ("德阳市", 9))),
    "上海市": ("31", 5.0, (("上海市", 1),)),
    "北京市": ("11", 4.5, (("北京市", 1),)),
    "湖北省": ("42", 4.2, (("武汉市", 55), ("宜昌市", 12), ("襄阳市", 12), ("荆门市", 8),
                         ("黄石市", 7), ("潜江市", 6))),
    "福建省": ("35", 4.0, (("福州市", 30), ("厦门市", 28), ("泉州市", 26), ("宁德市", 8),
                         ("三明市", 8))),
    "湖南省": ("43", 3.8, (("长沙市", 50), ("株洲市", 14), ("衡阳市", 14), ("岳阳市", 12),
                         ("郴州市", 10))),
    "河北省": ("13", 3.8, (("石家庄市", 32), ("唐山市", 20), ("保定市", 20), ("邯郸市", 16),
                         ("廊坊市", 12))),
    "安徽省": ("34", 3.3, (("合肥市", 45), ("芜湖市", 15), ("马鞍山市", 10), ("六安市", 10),
                         ("阜阳市", 20))),
    "陕西省": ("61", 2.6, (("西安市", 65), ("宝鸡市", 12), ("咸阳市", 13), ("榆林市", 10))),
    "江西省": ("36", 2.4, (("南昌市", 45), ("赣州市", 25), ("九江市", 16), ("上饶市", 14))),
    "辽宁省": ("21", 2.6, (("沈阳市", 38), ("大连市", 35), ("鞍山市", 10), ("辽阳市", 7),
                         ("阜新市", 5), ("锦州市", 5))),
    "广西壮族自治区": ("45", 2.4, (("南宁市", 45), ("柳州市", 20), ("桂林市", 20),
                                 ("梧州市", 15))),
    "重庆市": ("50", 2.4, (("重庆市", 1),)),
    "云南省": ("53", 2.0, (("昆明市", 60), ("曲靖市", 15), ("大理市", 13), ("玉溪市", 12))),
    "天津市": ("12", 1.7, (("天津市", 1),)),
    "山西省": ("14", 1.8, (("太原市", 50), ("大同市", 18), ("运城市", 16), ("长治市", 16))),
    "贵州省": ("52", 1.6, (("贵阳市", 55), ("遵义市", 25), ("六盘水市", 10), ("安顺市", 10))),
    "黑龙江省": ("23", 1.7, (("哈尔滨市", 55), ("齐齐哈尔市", 15), ("大庆市", 15),
                           ("牡丹江市", 15))),
    "吉林省": ("22", 1.3, (("长春市", 60), ("吉林市", 25), ("四平市", 15))),
    "内蒙古自治区": ("15", 1.1, (("呼和浩特市", 40), ("包头市", 35), ("通辽市", 15),
                               ("赤峰市", 10))),
    "新疆维吾尔自治区": ("65", 0.9, (("乌鲁木齐市", 65), ("克拉玛依市", 15), ("库尔勒市", 20))),
    "甘肃省": ("62", 0.9, (("兰州市", 65), ("天水市", 20), ("酒泉市", 15))),
    "海南省": ("46", 0.7, (("海口市", 60), ("三亚市", 40))),
    "宁夏回族自治区": ("64", 0.4, (("银川市", 75), ("石嘴山市", 25))),
    "青海省": ("63", 0.3, (("西宁市", 85), ("海东市", 15))),
    "西藏自治区": ("54", 0.15, (("拉萨市", 80), ("日喀则市", 20))),
}


# Delivery zones: (mean days from payment to delivery when on time, lateness factor).
DELIVERY_ZONES: dict[str, tuple[float, float]] = {
    "江浙沪皖": (1.6, 0.8),
    "沿海与中部": (2.4, 1.0),
    "东北与西南": (3.1, 1.25),
    "西北": (4.2, 1.7),
    "新疆西藏": (5.2, 2.0),
}
ZONE_OF: dict[str, str] = {
    **dict.fromkeys(("浙江省", "江苏省", "上海市", "安徽省"), "江浙沪皖"),
    **dict.fromkeys(("广东省", "山东省", "河南省", "北京市", "湖北省", "福建省", "湖南省", "河北省",
                     "江西省", "天津市", "山西省"), "沿海与中部"),
    **dict.fromkeys(("四川省", "陕西省", "辽宁省", "广西壮族自治区", "重庆市", "云南省", "贵州省",
                     "黑龙江省", "吉林省", "海南省"), "东北与西南"),
    **dict.fromkeys(("内蒙古自治区", "甘肃省", "宁夏回族自治区", "青海省"), "西北"),
    **dict.fromkeys(("新疆维吾尔自治区", "西藏自治区"), "新疆西藏"),
}
PROVINCE_NAMES = tuple(PROVINCES)
_TRANSIT = np.array([DELIVERY_ZONES[ZONE_OF[p]][0] for p in PROVINCE_NAMES])
_LATE = np.array([DELIVERY_ZONES[ZONE_OF[p]][1] for p in PROVINCE_NAMES])


def expected_delivery_days(province_code: np.ndarray) -> np.ndarray:
    """Mean days from payment to delivery of an on-time parcel, per position in PROVINCES."""
    return _TRANSIT[np.asarray(province_code, dtype=np.int64)]


def late_factor(province_code: np.ndarray) -> np.ndarray:
    """Multiplier on the day's chance of a late delivery (coast below 1, remote west about 2)."""
    return _LATE[np.asarray(province_code, dtype=np.int64)]


def draw_delivery_days(rng: np.random.Generator, province_code: np.ndarray) -> np.ndarray:
    """On-time delivery days (at least 1) with the province's mean: 1 + Poisson(mean − 1)."""
    return 1 + rng.poisson(expected_delivery_days(province_code) - 1)
