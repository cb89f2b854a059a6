import pandas as pd
import pytest

from crmkit import privacy
from crmkit.errors import CrmkitError


def test_maskers_by_hand():
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_name("欧阳娜娜") == "欧***"
    assert privacy.mask_phone("13812341234") == "138****1234"
    assert privacy.mask_phone("+8613812341234") == "138****1234"
    assert privacy.mask_phone("138****1234") == "138****1234"
    assert privacy.mask_address("广东省深圳市南山区科技园") == "广东省深圳市****"
    assert privacy.mask_id_number("11010519900101123X") == "11**************3X"


def test_series_keep_missing():
    s = privacy.mask_phone(pd.Series(["13812341234", None], dtype="str"))
    assert s.iloc[0] == "138****1234" and pd.isna(s.iloc[1])


def test_mask_frame_does_not_change_input():
    df = pd.DataFrame({"姓名": ["王芳"], "手机号": ["13900001111"]})
    out = privacy.mask_frame(df)
    assert out.iloc[0].tolist() == ["王*", "139****1111"]
    assert df.iloc[0, 0] == "王芳"
    assert privacy.check_masked(out)


def test_find_and_check():
    df = pd.DataFrame({"note": ["身份证 110105199001011234", "ok"], "phone": ["138****1234", None]})
    found = privacy.find_personal_data(df)
    assert found[["column", "kind", "unmasked_rows"]].values.tolist() == [["note", "id_number", 1]]
    with pytest.raises(CrmkitError, match="列 'note'"):
        privacy.check_masked(df)


def test_bad_input():
    with pytest.raises(CrmkitError, match="脱敏类型"):
        privacy.mask_frame(pd.DataFrame({"a": ["x"]}), {"a": "email"})
    with pytest.raises(CrmkitError, match="不存在"):
        privacy.mask_frame(pd.DataFrame({"a": ["x"]}), {"nmae": "name"})
    with pytest.raises(CrmkitError, match="DataFrame"):
        privacy.find_personal_data([1, 2])


def test_course_shop(course_shop):
    c = course_shop.customers
    found = privacy.find_personal_data(c)
    # phones and id numbers are stored masked; names are (synthetic) full names
    assert found["column"].tolist() == ["name"]
    masked = privacy.mask_frame(c)
    assert privacy.check_masked(masked)
    assert privacy.check_masked(course_shop.orders)
