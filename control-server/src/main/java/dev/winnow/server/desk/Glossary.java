package dev.winnow.server.desk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small Chinese-English glossary of the desk's trade words, appended to a Chinese question so
 * that it finds the (mostly English) documents by keyword as well as by meaning.
 */
final class Glossary {

    static final Map<String, String> ZH_EN = new LinkedHashMap<>();

    static {
        ZH_EN.put("退货", "return returns");
        ZH_EN.put("退款", "refund");
        ZH_EN.put("换货", "replacement exchange");
        ZH_EN.put("政策", "policy");
        ZH_EN.put("天", "days");
        ZH_EN.put("运费", "shipping freight cost");
        ZH_EN.put("发货", "shipping dispatch");
        ZH_EN.put("交货", "delivery lead time");
        ZH_EN.put("交期", "lead time delivery");
        ZH_EN.put("订单", "order");
        ZH_EN.put("批次", "lot");
        ZH_EN.put("证书", "certificate");
        ZH_EN.put("质量", "quality");
        ZH_EN.put("异物", "contaminants foreign matter");
        ZH_EN.put("杂质", "contaminants trash");
        ZH_EN.put("每吨", "per tonne");
        ZH_EN.put("水分", "moisture");
        ZH_EN.put("含水", "moisture");
        ZH_EN.put("长度", "length staple");
        ZH_EN.put("强度", "strength");
        ZH_EN.put("马克隆", "micronaire");
        ZH_EN.put("规格", "specification spec");
        ZH_EN.put("包装", "packing bale");
        ZH_EN.put("投诉", "complaint claim");
        ZH_EN.put("索赔", "claim");
        ZH_EN.put("保修", "warranty");
        ZH_EN.put("付款", "payment terms");
        ZH_EN.put("样品", "sample samples");
        ZH_EN.put("检测", "inspection");
        ZH_EN.put("多久", "how long days");
        ZH_EN.put("期限", "time limit deadline within days");
        ZH_EN.put("未开封", "unopened");
        ZH_EN.put("棉包", "bales bale");
        ZH_EN.put("重量", "weight");
        ZH_EN.put("损坏", "damaged");
        ZH_EN.put("运输", "transit shipping");
        ZH_EN.put("最低", "minimum");
        ZH_EN.put("起订量", "minimum order");
    }

    /**
     * English words customers use for what policies say otherwise: a "deadline" is written as a time limit,
     * "within N days". Appended to an English question the same way.
     */
    static final Map<String, String> EN_EN = new LinkedHashMap<>();

    static {
        EN_EN.put("deadline", "time limits within days");
        EN_EN.put("how long", "time limits within days");
        EN_EN.put("how soon", "time limits within days");
        EN_EN.put("cut-off", "time limits within days");
        EN_EN.put("complain", "claim");
    }

    private Glossary() {
    }

    static String expand(final String q) {
        if (!Lang.isChinese(q)) {
            final String l = q.toLowerCase(java.util.Locale.ROOT);
            final StringBuilder b = new StringBuilder(q);
            EN_EN.forEach((en, policy) -> {
                if (l.contains(en)) {
                    b.append(' ').append(policy);
                }
            });
            return b.toString();
        }
        final StringBuilder b = new StringBuilder(q);
        ZH_EN.forEach((zh, en) -> {
            if (q.contains(zh)) {
                b.append(' ').append(en);
            }
        });
        return b.toString();
    }
}
