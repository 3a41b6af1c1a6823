"""Text normalization: written forms to spoken words, for zh and en."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxhub.text.normalize import normalize


def zh(text: str) -> str:
    return normalize(text, "zh")


def en(text: str) -> str:
    return normalize(text, "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # integers, decimals, negatives, separators
        ("123", "一百二十三"),
        ("10", "十"),
        ("0", "零"),
        ("1001", "一千零一"),
        ("100010", "十万零一十"),
        ("¥100001000", "一亿零一千元"),
        ("3.14", "三点一四"),
        ("0.5", "零点五"),
        ("-5", "负五"),
        ("温度-5度", "温度负五度"),
        ("1,000", "一千"),
        ("1,000,000", "一百万"),
        ("１２３", "一百二十三"),
        # percentages
        ("50%", "百分之五十"),
        ("-3.5%", "负百分之三点五"),
        ("增长了12.5％", "增长了百分之十二点五"),
        # dates
        ("2024年3月5日", "二零二四年三月五日"),
        ("2024-03-05", "二零二四年三月五日"),
        ("2024/12/25", "二零二四年十二月二十五日"),
        # times
        ("14:30", "十四点三十分"),
        ("2:05", "两点零五分"),
        ("10:00", "十点整"),
        ("12:30:05", "十二点三十分五秒"),
        # currency
        ("¥100", "一百元"),
        ("￥100", "一百元"),
        ("100元", "一百元"),
        ("$5", "五美元"),
        ("€20", "二十欧元"),
        ("¥1,000,000", "一百万元"),
        # units
        ("5kg", "五千克"),
        ("10km", "十公里"),
        ("3cm", "三厘米"),
        ("2m", "两米"),
        ("20°C", "二十摄氏度"),
        ("20℃", "二十摄氏度"),
        ("100ml", "一百毫升"),
        ("5GB", "五吉字节"),
        ("60km/h", "六十公里每小时"),
        # digit strings, ranges, fractions, versions
        ("13812345678", "一三八一二三四五六七八"),
        ("电话010-12345678", "电话零一零 一二三四五六七八"),
        ("007", "零零七"),
        ("3-5天", "三到五天"),
        ("1/2", "二分之一"),
        ("版本1.2.3", "版本一点二点三"),
        # measure words
        ("2个人", "两个人"),
        ("第2名", "第二名"),
        ("下午2点", "下午两点"),
        # English letters are left alone
        ("iPhone 15很好", "iPhone 十五很好"),
        ("AI和GPU", "AI和GPU"),
        ("你好，世界", "你好，世界"),
    ],
)
def test_zh(text: str, expected: str) -> None:
    assert zh(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 两 before measure words and units, and a leading 2 before 千/万/亿
        ("2kg", "两千克"),
        ("2小时", "两小时"),
        ("2000元", "两千元"),
        ("2月", "二月"),
        ("2年级", "二年级"),
        # money: the cents' trailing zeros are not said
        ("¥12.50", "十二点五元"),
        ("12.50元", "十二点五元"),
        ("-5℃", "零下五摄氏度"),
        # phone numbers and codes digit by digit
        ("拨打110", "拨打一一零"),
        ("打100分", "打一百分"),
        ("验证码6688", "验证码六六八八"),
        ("302房间", "三零二房间"),
        ("RTX 4090", "RTX四零九零"),
        ("+86 139 1234 5678", "加八六 一三九 一二三四 五六七八"),
        ("90后", "九零后"),
        ("2024赛季", "二零二四赛季"),
        # math and symbols
        ("1+1=2", "一加一等于二"),
        ("8-3=5", "八减三等于五"),
        ("√16=4", "根号十六等于四"),
        ("3²=9", "三的平方等于九"),
        ("3:1", "三比一"),
        ("9:00-18:00", "九点整到十八点整"),
        ("100+个", "一百多个"),
        ("30元/斤", "三十元一斤"),
        ("C++", "C加加"),
        ("张三&李四", "张三和李四"),
        ("20m²", "二十平方米"),
    ],
)
def test_zh_readings_people_use(text: str, expected: str) -> None:
    assert zh(text) == expected


def test_zh_sentence() -> None:
    text = "2024年3月5日14:30，我花了¥100买了5kg苹果，涨了50%。"
    assert (
        zh(text) == "二零二四年三月五日十四点三十分，我花了一百元买了五千克苹果，涨了百分之五十。"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cardinals, decimals, negatives, separators
        ("123", "one hundred twenty-three"),
        ("0", "zero"),
        ("105", "one hundred five"),
        ("I have 2 cats.", "I have two cats."),
        ("1,000,000", "one million"),
        ("1000000", "one million"),
        (
            "999,999,999,999",
            "nine hundred ninety-nine billion nine hundred ninety-nine million "
            "nine hundred ninety-nine thousand nine hundred ninety-nine",
        ),
        ("1000000000000", "one zero zero zero zero zero zero zero zero zero zero zero zero"),
        ("3.14", "three point one four"),
        ("0.5", "zero point five"),
        ("-5", "minus five"),
        ("it was -12.5 today", "it was minus twelve point five today"),
        ("007", "zero zero seven"),
        ("MP3", "MP three"),
        ("3D", "three D"),
        ("COVID-19", "COVID-nineteen"),
        # ordinals
        ("1st", "first"),
        ("2nd", "second"),
        ("3rd", "third"),
        ("23rd", "twenty-third"),
        ("11th", "eleventh"),
        ("20th", "twentieth"),
        ("101st", "one hundred first"),
        # years
        ("1999", "nineteen ninety-nine"),
        ("2024", "twenty twenty-four"),
        ("2005", "two thousand five"),
        ("2000", "two thousand"),
        ("1905", "nineteen oh five"),
        ("1900", "nineteen hundred"),
        ("the 1990s", "the nineteen nineties"),
        ("the '80s", "the eighties"),
        # dates
        ("2024-03-05", "March fifth, twenty twenty-four"),
        ("March 5, 2024", "March fifth, twenty twenty-four"),
        ("on July 4th, 1976.", "on July fourth, nineteen seventy-six."),
        ("Sept. 12", "September twelfth"),
        ("5 March 2024", "the fifth of March, twenty twenty-four"),
        ("3/5/2024", "March fifth, twenty twenty-four"),
        # times
        ("14:30", "fourteen thirty"),
        ("9:05", "nine oh five"),
        ("3:00 pm", "three P M"),
        ("9:05 AM", "nine oh five A M"),
        ("meet at 3 p.m.", "meet at three P M."),
        ("10am", "ten A M"),
        ("12:00", "twelve o'clock"),
        ("14:00", "fourteen hundred"),
        # percentages
        ("50%", "fifty percent"),
        ("2.5%", "two point five percent"),
        # currency
        ("$5", "five dollars"),
        ("$1", "one dollar"),
        ("$3.50", "three dollars and fifty cents"),
        ("$0.99", "ninety-nine cents"),
        ("$1,000", "one thousand dollars"),
        ("$1.5 million", "one point five million dollars"),
        ("€20", "twenty euros"),
        ("£1", "one pound"),
        ("£2.50", "two pounds and fifty pence"),
        ("¥500", "five hundred yen"),
        # units
        ("5 kg", "five kilograms"),
        ("5kg", "five kilograms"),
        ("1 km", "one kilometer"),
        ("1.5 km", "one point five kilometers"),
        ("10 cm", "ten centimeters"),
        ("20°C", "twenty degrees Celsius"),
        ("1°C", "one degree Celsius"),
        ("-5°C", "minus five degrees Celsius"),
        ("70°F", "seventy degrees Fahrenheit"),
        ("100 ml", "one hundred milliliters"),
        ("5 GB", "five gigabytes"),
        ("30 mph", "thirty miles per hour"),
        ("100 km/h", "one hundred kilometers per hour"),
        ("He ran 5km in 20 min.", "He ran five kilometers in twenty minutes."),
        # ranges, phone numbers, fractions, versions
        ("pages 5-10", "pages five to ten"),
        ("1990-1995", "nineteen ninety to nineteen ninety-five"),
        ("call 555-1234", "call five five five, one two three four"),
        ("(555) 123-4567", "five five five, one two three, four five six seven"),
        ("1/2", "one half"),
        ("3/4", "three quarters"),
        ("2/3", "two thirds"),
        ("version 1.2.3", "version one dot two dot three"),
        # abbreviations and symbols
        ("Dr. Smith", "Doctor Smith"),
        ("Mr. Jones", "Mister Jones"),
        ("Mrs. Brown", "Missus Brown"),
        ("St. Louis", "St. Louis"),
        ("the Dr. said", "the Dr. said"),
        ("apples, oranges, etc.", "apples, oranges, et cetera."),
        ("Acme Inc. is big", "Acme Incorporated is big"),
        ("Martin Luther King, Jr.", "Martin Luther King, Junior."),
        ("cats vs. dogs", "cats versus dogs"),
        ("fruit, e.g. apples", "fruit, for example apples"),
        ("No. 5", "number five"),
        ("#1", "number one"),
        ("Tom & Jerry", "Tom and Jerry"),
        ("R&D", "R and D"),
        # untouched
        ("Hello, world!", "Hello, world!"),
        ("", ""),
    ],
)
def test_en(text: str, expected: str) -> None:
    assert en(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # codes and phone numbers
        ("room 302", "room three oh two"),
        ("Dial 911", "Dial nine one one"),
        ("PIN 4821", "PIN four eight two one"),
        ("Boeing 747", "Boeing seven forty-seven"),
        ("UA 857", "UA eight fifty-seven"),
        ("CES 2024", "CES twenty twenty-four"),
        ("+1 415 555 2671", "plus one, four one five, five five five, two six seven one"),
        ("650.555.1212", "six five zero, five five five, one two one two"),
        # Roman numerals where they can only be numbers
        ("King Henry VIII", "King Henry the Eighth"),
        ("World War II", "World War Two"),
        ("Part II", "Part II"),
        ("James I arrived", "James I arrived"),
        # fractions, ranges, years
        ("1 1/2 hours", "one and a half hours"),
        ("$10-$20", "ten to twenty dollars"),
        ("9am-5pm", "nine A M to five P M"),
        ("pages 5-10.", "pages five to ten."),
        ("in 1066.", "in ten sixty-six."),
        # math and symbols; words and addresses are left alone
        ("3 × 4 = 12", "three times four equals twelve"),
        ("7 - 3 = 4", "seven minus three equals four"),
        ("x² + y² = z²", "x squared plus y squared equals z squared"),
        ("the ratio 3:2", "the ratio three to two"),
        ("C# and C++", "C sharp and C plus plus"),
        ("@voxhub", "at voxhub"),
        ("a@b.com", "a@b.com"),
        ("A+ grade", "A+ grade"),
        ("word *stress* word", "word *stress* word"),
        ("20 m²", "twenty square meters"),
    ],
)
def test_en_readings_people_use(text: str, expected: str) -> None:
    assert en(text) == expected


def test_en_sentence() -> None:
    text = "On March 5, 2024 at 3:30 pm, Dr. Smith paid $3.50 for 2.5 kg of apples."
    assert en(text) == (
        "On March fifth, twenty twenty-four at three thirty P M, Doctor Smith paid "
        "three dollars and fifty cents for two point five kilograms of apples."
    )


def test_other_languages_pass_through() -> None:
    assert normalize("J'ai 5 pommes à 14:30", "fr") == "J'ai 5 pommes à 14:30"


def test_surrounding_whitespace_is_kept() -> None:
    assert en("  I have 2 cats.\n") == "  I have two cats.\n"
    assert zh("\n有2个人 ") == "\n有两个人 "


def test_very_long_digit_strings_do_not_raise() -> None:
    digits = "1" * 5000
    assert en(digits) == " ".join(["one"] * 5000)
    assert zh(digits) == "一" * 5000


_SYMBOLS = st.sampled_from(
    list("0123456789０１ -−.,:/%％$€£¥￥°CFkgmLMB&#年月日个点第\n。！？，“”\"'()apAPm")
)
_TEXT = st.one_of(st.text(max_size=80), st.lists(_SYMBOLS, max_size=40).map("".join))


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, language=st.sampled_from(["zh", "en", "fr"]))
def test_normalize_never_raises(text: str, language: str) -> None:
    result = normalize(text, language)
    assert isinstance(result, str)
    if not text.strip():
        assert result == text
