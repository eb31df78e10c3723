<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>photoclip</name>
    <message>
        <source> (last error: {error})</source>
        <translation>（上次出错：{error}）</translation>
    </message>
    <message>
        <source> (showing its {photos})</source>
        <translation>（正在显示其中 {photos}）</translation>
    </message>
    <message>
        <source> ({count} to review)</source>
        <translation>（{count} 个待确认）</translation>
    </message>
    <message>
        <source>&amp;About photoclip</source>
        <translation>关于 photoclip(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Add photo folder…</source>
        <translation>添加照片文件夹(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;All photos</source>
        <translation>全部照片(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Back to photos</source>
        <translation>返回照片(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Choose a weights file…</source>
        <translation>选择权重文件(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Download the model</source>
        <translation>下载模型(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Next photo</source>
        <translation>下一张(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Previous photo</source>
        <translation>上一张(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Suggest tags again</source>
        <translation>重新推荐标签(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Tags</source>
        <translation>标签(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <source>(no preview)</source>
        <translation>（无预览）</translation>
    </message>
    <message>
        <source>(none chosen yet)</source>
        <translation>（尚未选择）</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>({n} photos)</source>
        <translation>（{n} 张照片）</translation>
    </message>
    <message>
        <source>, label set {name}</source>
        <translation>，标签集 {name}</translation>
    </message>
    <message>
        <source>A folder holding the model's weights and text tower</source>
        <translation>包含模型权重和文本塔的文件夹</translation>
    </message>
    <message>
        <source>A model is downloaded once; after that photoclip works offline. You can change it later in Settings.</source>
        <translation>模型只需下载一次，之后 photoclip 可离线使用。以后可在“设置”中更换。</translation>
    </message>
    <message>
        <source>A new language is used the next time photoclip starts.</source>
        <translation>新的语言将在下次启动 photoclip 时生效。</translation>
    </message>
    <message>
        <source>About photoclip</source>
        <translation>关于 photoclip</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Accept tag '{tag}' on {n}</source>
        <translation>接受 {n} 上的标签“{tag}”</translation>
    </message>
    <message>
        <source>Add a photo folder</source>
        <translation>添加照片文件夹</translation>
    </message>
    <message>
        <source>Add a tag</source>
        <translation>添加标签</translation>
    </message>
    <message>
        <source>Add a tag and press Enter</source>
        <translation>输入标签后按回车</translation>
    </message>
    <message>
        <source>Add a tag{n}…</source>
        <translation>添加标签{n}…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Add my Pictures folder</source>
        <translation>添加我的“图片”文件夹</translation>
    </message>
    <message>
        <source>Add tag '{tag}' to {n}</source>
        <translation>给 {n} 添加标签“{tag}”</translation>
    </message>
    <message>
        <source>Add to album</source>
        <translation>添加到相册</translation>
    </message>
    <message>
        <source>Add to album{n}…</source>
        <translation>添加到相册{n}…</translation>
    </message>
    <message>
        <source>Add {n} to album '{album}'</source>
        <translation>把 {n} 加入相册“{album}”</translation>
    </message>
    <message>
        <source>Adding {folder}…</source>
        <translation>正在添加 {folder}…</translation>
    </message>
    <message>
        <source>Album</source>
        <translation>相册</translation>
    </message>
    <message>
        <source>Album (type a new name to create it):</source>
        <translation>相册（输入新名称即可新建）：</translation>
    </message>
    <message>
        <source>Album name</source>
        <translation>相册名称</translation>
    </message>
    <message>
        <source>Albums</source>
        <translation>相册</translation>
    </message>
    <message>
        <source>All folders</source>
        <translation>全部文件夹</translation>
    </message>
    <message>
        <source>All photos</source>
        <translation>全部照片</translation>
    </message>
    <message>
        <source>Analysing</source>
        <translation>正在分析</translation>
    </message>
    <message>
        <source>Any album</source>
        <translation>任意相册</translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation>任意评分</translation>
    </message>
    <message>
        <source>Any tag</source>
        <translation>任意标签</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>Apple GPU（Metal）</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>识别</translation>
    </message>
    <message>
        <source>Automatic (a GPU if there is one)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>Automatic tags</source>
        <translation>自动标签</translation>
    </message>
    <message>
        <source>Back to the photos (Esc)</source>
        <translation>返回照片（Esc）</translation>
    </message>
    <message>
        <source>Best match</source>
        <translation>最相关</translation>
    </message>
    <message>
        <source>Best quality, about 18x slower to index than vit-b-32: for a GPU (DataComp-1B ViT-L/14)</source>
        <comment>model</comment>
        <translation>质量最佳，索引约比 vit-b-32 慢 18 倍：适合有 GPU 的电脑（DataComp-1B ViT-L/14）</translation>
    </message>
    <message>
        <source>Better than vit-b-32 with half the download, about 2x slower to index on a CPU (Apple MobileCLIP2-S0; Apple AMLR licence: check it suits your use)</source>
        <comment>model</comment>
        <translation>比 vit-b-32 更好，下载量减半，在 CPU 上索引约慢 2 倍（Apple MobileCLIP2-S0；Apple AMLR 许可：请确认适合你的用途）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Cache (thumbnails)</source>
        <translation>缓存（缩略图）</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>相机</translation>
    </message>
    <message>
        <source>Camera (EXIF)</source>
        <translation>拍摄信息（EXIF）</translation>
    </message>
    <message>
        <source>Cannot read {file} ({error}): fetch the model again.</source>
        <translation>无法读取 {file}（{error}）：请重新获取该模型。</translation>
    </message>
    <message>
        <source>Cannot redo: {why}</source>
        <translation>无法重做：{why}</translation>
    </message>
    <message>
        <source>Cannot save the settings: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
    <message>
        <source>Cannot undo: {why}</source>
        <translation>无法撤销：{why}</translation>
    </message>
    <message>
        <source>Cannot unpack {archive} ({error}).</source>
        <translation>无法解压 {archive}（{error}）。</translation>
    </message>
    <message>
        <source>Change the rule of album '{album}'</source>
        <translation>更改相册“{album}”的规则</translation>
    </message>
    <message>
        <source>Change the rule…</source>
        <translation>更改规则…</translation>
    </message>
    <message>
        <source>Chinese first</source>
        <translation>中文优先</translation>
    </message>
    <message>
        <source>Chinese-first search (OFA-Sys Chinese-CLIP ViT-B/16 with a Chinese RoBERTa text tower, trained on ~200M Chinese image-text pairs)</source>
        <comment>model</comment>
        <translation>中文优先的搜索（OFA-Sys Chinese-CLIP ViT-B/16，中文 RoBERTa 文本编码器，用约 2 亿中文图文对训练）</translation>
    </message>
    <message>
        <source>Choose a folder holding the model's weights and text tower</source>
        <translation>选择包含模型权重和文本塔的文件夹</translation>
    </message>
    <message>
        <source>Choose a folder…</source>
        <translation>选择文件夹…</translation>
    </message>
    <message>
        <source>Choose a weights file…</source>
        <translation>选择权重文件…</translation>
    </message>
    <message>
        <source>Choose at least one label set, or turn automatic tags off.</source>
        <translation>请至少选择一个标签集，或关闭自动标签。</translation>
    </message>
    <message>
        <source>Choose how photoclip understands photos</source>
        <translation>选择 photoclip 理解照片所用的模型</translation>
    </message>
    <message>
        <source>Choose the folders that hold your photos.</source>
        <translation>选择存放照片的文件夹。</translation>
    </message>
    <message>
        <source>Choose the model's weights file</source>
        <translation>选择模型的权重文件</translation>
    </message>
    <message>
        <source>Clear the rating of {n}</source>
        <translation>清除{n}的星级</translation>
    </message>
    <message>
        <source>Confirm a suggested face</source>
        <translation>确认一张建议的人脸</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>复制文字</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在计数…</translation>
    </message>
    <message>
        <source>Create album '{album}'</source>
        <translation>新建相册“{album}”</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Decline a suggested face</source>
        <translation>拒绝一张建议的人脸</translation>
    </message>
    <message>
        <source>Delete album</source>
        <translation>删除相册</translation>
    </message>
    <message>
        <source>Delete album '{album}'</source>
        <translation>删除相册“{album}”</translation>
    </message>
    <message>
        <source>Describe a photo ("a dog playing in the snow"), or drop or paste a photo here</source>
        <translation>描述一张照片（如“在雪地里玩耍的狗”），或将照片拖放、粘贴到这里</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Download the model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <source>Downloading model '{model}' failed ({reason}). Run the command again to retry (nothing half-downloaded is kept), or offline download {url} and run `photoclip models use {model} --weights /path/to/file`.</source>
        <translation>下载模型“{model}”失败（{reason}）。再运行一次命令即可重试（下载了一半的文件不会保留），或者离线安装：下载 {url}，然后运行 `photoclip models use {model} --weights /文件路径`。</translation>
    </message>
    <message>
        <source>Downloading model '{model}' failed ({reason}). Run the command again to retry (nothing half-downloaded is kept), or offline {hint}.</source>
        <translation>下载模型“{model}”失败（{reason}）。再运行一次命令即可重试（下载了一半的文件不会保留），或者离线安装：{hint}。</translation>
    </message>
    <message>
        <source>Downloading the model: {done} MB</source>
        <translation>正在下载模型：{done} MB</translation>
    </message>
    <message>
        <source>Downloading the model: {done} of {total} MB</source>
        <translation>正在下载模型：{done} / {total} MB</translation>
    </message>
    <message>
        <source>Downloading the model… (progress in the status bar)</source>
        <translation>正在下载模型…（进度见状态栏）</translation>
    </message>
    <message>
        <source>Downloading {model}{size}… This happens only once.</source>
        <translation>正在下载 {model}{size}… 只需下载这一次。</translation>
    </message>
    <message>
        <source>Drag photos onto the album in the sidebar to fill it.</source>
        <translation>把照片拖到侧栏中的相册上即可加入。</translation>
    </message>
    <message>
        <source>End of the slideshow</source>
        <translation>幻灯片放映结束</translation>
    </message>
    <message>
        <source>Every {seconds} s</source>
        <translation>每 {seconds} 秒</translation>
    </message>
    <message>
        <source>Faces &amp;&amp; text</source>
        <translation>人脸和文字</translation>
    </message>
    <message>
        <source>Faces &amp;&amp; text ({count})</source>
        <translation>人脸和文字（{count}）</translation>
    </message>
    <message>
        <source>Fair match</source>
        <translation>一般匹配</translation>
    </message>
    <message>
        <source>Fast, good all-round default (LAION-2B ViT-B/32)</source>
        <comment>model</comment>
        <translation>速度快、各方面都不错的默认模型（LAION-2B ViT-B/32）</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Find people in your photos? Faces are analysed on this computer only.</source>
        <translation>要在照片中查找人物吗？人脸只在这台电脑上分析。</translation>
    </message>
    <message>
        <source>Find your photos by what is in them. Everything stays on this computer.</source>
        <translation>按照片内容查找照片。所有数据都只保存在这台电脑上。</translation>
    </message>
    <message>
        <source>Finding duplicates needs the duplicates plugin: turn it on in Settings › Plugins</source>
        <translation>查找重复照片需要 duplicates 插件：请在“设置 › 插件”中启用</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适合窗口</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>全屏</translation>
    </message>
    <message>
        <source>Getting the model</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <source>Good match</source>
        <translation>较好匹配</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Group {n}</source>
        <translation>第 {n} 组</translation>
    </message>
    <message>
        <source>HEIF support is not installed</source>
        <translation>没有安装 HEIF 支持</translation>
    </message>
    <message>
        <source>HF_HUB_OFFLINE is set</source>
        <translation>设置了 HF_HUB_OFFLINE</translation>
    </message>
    <message>
        <source>Hidden people</source>
        <translation>已隐藏的人物</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Hide a person</source>
        <translation>隐藏一个人</translation>
    </message>
    <message>
        <source>Higher quality</source>
        <translation>更高质量</translation>
    </message>
    <message>
        <source>Higher quality, about 4x slower to index than vit-b-32 (DataComp-1B ViT-B/16)</source>
        <comment>model</comment>
        <translation>质量更高，索引速度约为 vit-b-32 的四分之一（DataComp-1B ViT-B/16）</translation>
    </message>
    <message>
        <source>Image: {name}</source>
        <translation>图片：{name}</translation>
    </message>
    <message>
        <source>In no album yet</source>
        <translation>尚未加入任何相册</translation>
    </message>
    <message>
        <source>In: {albums}</source>
        <translation>所在相册：{albums}</translation>
    </message>
    <message>
        <source>Indexed {photos}</source>
        <translation>已索引 {photos}</translation>
    </message>
    <message>
        <source>Indexing paused</source>
        <translation>索引已暂停</translation>
    </message>
    <message>
        <source>Indexing paused: no photos yet</source>
        <translation>索引已暂停：还没有照片</translation>
    </message>
    <message>
        <source>Indexing paused: {indexed} of {photos} indexed</source>
        <translation>索引已暂停：已索引 {indexed} / {photos}</translation>
    </message>
    <message>
        <source>Indexing {done} of {photos}</source>
        <translation>正在索引 {done} / {photos}</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>JPEG 2000 is not supported by this build of Pillow (it lacks OpenJPEG)</source>
        <translation>这个版本的 Pillow 不支持 JPEG 2000（缺少 OpenJPEG）</translation>
    </message>
    <message>
        <source>JPEG XL is not supported</source>
        <translation>不支持 JPEG XL</translation>
    </message>
    <message>
        <source>Jump to a year</source>
        <translation>跳到某一年</translation>
    </message>
    <message>
        <source>Jump to year</source>
        <translation>跳到年份</translation>
    </message>
    <message>
        <source>Keep (suggested: the original)</source>
        <translation>保留（建议：原件）</translation>
    </message>
    <message>
        <source>Keep all of them (not duplicates)</source>
        <translation>全部保留（不是重复）</translation>
    </message>
    <message>
        <source>Keep this one</source>
        <translation>保留这张</translation>
    </message>
    <message>
        <source>Keywords in files</source>
        <translation>文件中的关键词</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Label sets used for automatic tags</source>
        <translation>自动标签使用的标签集</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Lens</source>
        <translation>镜头</translation>
    </message>
    <message>
        <source>Like: {name}</source>
        <translation>相似：{name}</translation>
    </message>
    <message>
        <source>Loading the model with {file}…</source>
        <translation>正在用 {file} 加载模型…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Looking for duplicates in the whole library…</source>
        <translation>正在整个图库中查找重复照片…</translation>
    </message>
    <message>
        <source>Looking for new and changed photos…</source>
        <translation>正在查找新增和修改的照片…</translation>
    </message>
    <message>
        <source>Loose: more tags, some wrong</source>
        <translation>宽松：标签更多，有些会出错</translation>
    </message>
    <message>
        <source>Mark {n} as favourites</source>
        <translation>将{n}标为收藏</translation>
    </message>
    <message>
        <source>May be someone you named</source>
        <translation>可能是你命名过的某人</translation>
    </message>
    <message>
        <source>May be {person}</source>
        <translation>可能是 {person}</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>合并到…</translation>
    </message>
    <message>
        <source>Merge two people</source>
        <translation>合并两个人</translation>
    </message>
    <message>
        <source>Merge {person} into:</source>
        <translation>把 {person} 合并到：</translation>
    </message>
    <message>
        <source>Minimum score:</source>
        <translation>最低分数：</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model '{model}' cannot be built ({error}).</source>
        <translation>无法构建模型“{model}”（{error}）。</translation>
    </message>
    <message>
        <source>Model '{model}' cannot be built from {file} ({error}). Check the file is {repo}'s, or fetch it again with `photoclip models download {model}`.</source>
        <translation>无法用 {file} 构建模型“{model}”（{error}）。请确认该文件属于 {repo}，或者用 `photoclip models download {model}` 重新获取。</translation>
    </message>
    <message>
        <source>Model '{model}' cannot load its text tower's config and tokenizer ({tower}) ({reason}); the weights file alone is not enough. Run `photoclip models download {model}` to fetch both, or offline copy the {tower} config.json and tokenizer files (tokenizer.json, sentencepiece.bpe.model, ...) into a folder and run `photoclip models use {model} --weights FILE --text-tower FOLDER` (they are kept in {folder}).</source>
        <translation>模型“{model}”无法加载其文本塔的配置和分词器（{tower}）（{reason}）；只有权重文件是不够的。运行 `photoclip models download {model}` 可同时下载两部分；离线时，把 {tower} 的 config.json 和分词器文件（tokenizer.json、sentencepiece.bpe.model 等）复制到一个文件夹，然后运行 `photoclip models use {model} --weights FILE --text-tower FOLDER`（它们保存在 {folder}）。</translation>
    </message>
    <message>
        <source>Model '{model}' cannot load its text tower's config and tokenizer ({tower}); the weights file alone is not enough. Run `photoclip models download {model}` to fetch both, or offline copy the {tower} config.json and tokenizer files (tokenizer.json, sentencepiece.bpe.model, ...) into a folder and run `photoclip models use {model} --weights FILE --text-tower FOLDER` (they are kept in {folder}).</source>
        <translation>模型“{model}”无法加载其文本塔的配置和分词器（{tower}）；只有权重文件是不够的。运行 `photoclip models download {model}` 可同时下载两部分；离线时，把 {tower} 的 config.json 和分词器文件（tokenizer.json、sentencepiece.bpe.model 等）复制到一个文件夹，然后运行 `photoclip models use {model} --weights FILE --text-tower FOLDER`（它们保存在 {folder}）。</translation>
    </message>
    <message>
        <source>Model '{model}' cannot use the weights in {file} ({error}). Check it is the right file for this model, or fetch it again with `photoclip models download {model}`.</source>
        <translation>模型“{model}”无法使用 {file} 中的权重（{error}）。请确认这是该模型的文件，或者用 `photoclip models download {model}` 重新获取。</translation>
    </message>
    <message>
        <source>Model '{model}' has no Hugging Face text tower: --text-tower is not used.</source>
        <translation>模型“{model}”没有 Hugging Face 文本塔：用不到 --text-tower。</translation>
    </message>
    <message>
        <source>Model '{model}' has no weights to download.</source>
        <translation>模型“{model}”没有可下载的权重。</translation>
    </message>
    <message>
        <source>Model '{model}' is not downloaded and the Hugging Face hub cannot be reached ({reason}). Connect to the internet once, or offline download {url} and run `photoclip models use {model} --weights /path/to/file`.</source>
        <translation>模型“{model}”尚未下载，且无法连接 Hugging Face（{reason}）。请联网一次，或者离线安装：下载 {url}，然后运行 `photoclip models use {model} --weights /文件路径`。</translation>
    </message>
    <message>
        <source>Model '{model}' is not downloaded. Run `photoclip models download {model}`, or download {url} and run `photoclip models use {model} --weights /path/to/file`.</source>
        <translation>模型“{model}”尚未下载。请运行 `photoclip models download {model}`，或者下载 {url}，然后运行 `photoclip models use {model} --weights /文件路径`。</translation>
    </message>
    <message>
        <source>Model '{model}' is not downloaded: it lacks {parts}, and the Hugging Face hub cannot be reached ({reason}). Connect to the internet once, or offline {hint}.</source>
        <translation>模型“{model}”尚未下载：缺少{parts}，且无法连接 Hugging Face（{reason}）。请联网一次，或者离线安装：{hint}。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the Python package {names}, not installed here: install with `pip install {extra}` (pipx: `pipx inject photoclip {packages}`), then choose the model again.</source>
        <translation>模型“{model}”需要 Python 包 {names}，但这里没有安装：用 `pip install {extra}` 安装（pipx：`pipx inject photoclip {packages}`），然后重新选择这个模型。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the Python package {names}, which this photoclip installation does not include: install a photoclip package built with multilingual support, or choose another model.</source>
        <translation>模型“{model}”需要 Python 包 {names}，而这个 photoclip 安装不包含它：请安装带多语言支持的 photoclip 安装包，或选择其他模型。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the Python packages {names}, not installed here: install with `pip install {extra}` (pipx: `pipx inject photoclip {packages}`), then choose the model again.</source>
        <translation>模型“{model}”需要 Python 包 {names}，但这里没有安装：用 `pip install {extra}` 安装（pipx：`pipx inject photoclip {packages}`），然后重新选择这个模型。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the Python packages {names}, which this photoclip installation does not include: install a photoclip package built with multilingual support, or choose another model.</source>
        <translation>模型“{model}”需要 Python 包 {names}，而这个 photoclip 安装不包含它们：请安装带多语言支持的 photoclip 安装包，或选择其他模型。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the model provider '{provider}', which is not installed (known: {known}); install the plugin that provides it, or choose another model.</source>
        <translation>模型“{model}”需要模型提供者“{provider}”，但它没有安装（已知：{known}）；请安装提供它的插件，或者选择其他模型。</translation>
    </message>
    <message>
        <source>Model '{model}' needs the open_clip architecture '{arch}', which this open_clip_torch does not have; upgrade it with `pip install -U open_clip_torch`.</source>
        <translation>模型“{model}”需要 open_clip 架构“{arch}”，但这里的 open_clip_torch 没有：请用 `pip install -U open_clip_torch` 升级它。</translation>
    </message>
    <message>
        <source>Model '{model}' needs {files} beside its weights, in {folder}. Run `photoclip models download {model}`, or offline copy the whole {repo} folder (config.json, preprocessor_config.json, vocab.txt and the weights) there.</source>
        <translation>模型“{model}”需要权重旁边（{folder}）有 {files}。请运行 `photoclip models download {model}`；离线时，把整个 {repo} 文件夹（config.json、preprocessor_config.json、vocab.txt 和权重）复制到那里。</translation>
    </message>
    <message>
        <source>Model '{model}': its model file {file} cannot be read ({error}).</source>
        <translation>模型“{model}”：无法读取它的模型文件 {file}（{error}）。</translation>
    </message>
    <message>
        <source>Model '{model}': its weights file {file} does not exist; fix the 'weights' entry in {config}.</source>
        <translation>模型“{model}”：它的权重文件 {file} 不存在；请修改 {config} 中的“weights”一项。</translation>
    </message>
    <message>
        <source>Model '{model}': no models folder to look in.</source>
        <translation>模型“{model}”：没有可查找的模型文件夹。</translation>
    </message>
    <message>
        <source>Model '{model}': the text tower in {folder} is not usable: {why}. It needs the config.json and tokenizer files of {tower} ({files}, ...); the weights file is not the problem.</source>
        <translation>模型“{model}”：{folder} 中的文本塔无法使用：{why}。它需要 {tower} 的 config.json 和分词器文件（{files} 等）；问题不在权重文件。</translation>
    </message>
    <message>
        <source>Model '{model}': {folder} has no weights file ({suffixes}); put {file} there (its text tower alone is not enough).</source>
        <translation>模型“{model}”：{folder} 中没有权重文件（{suffixes}）；请把 {file} 放在那里（只有文本塔是不够的）。</translation>
    </message>
    <message>
        <source>Model '{model}': {folder} has several weights files ({files}); keep only the one for this model.</source>
        <translation>模型“{model}”：{folder} 中有多个权重文件（{files}）；只保留属于该模型的那一个。</translation>
    </message>
    <message>
        <source>Model '{model}': {source} has its weights but not {parts}: add them beside the weights or in a {folder}/ folder.</source>
        <translation>模型“{model}”：{source} 中有权重，但没有{parts}：请把它们放在权重旁边或 {folder}/ 文件夹中。</translation>
    </message>
    <message>
        <source>Model weights, or an archive of a model's parts (*.safetensors *.bin *.pt *.pth *.zip *.tar *.tar.gz *.tgz);;All files (*)</source>
        <translation>模型权重，或包含模型各部分的压缩包 (*.safetensors *.bin *.pt *.pth *.zip *.tar *.tar.gz *.tgz);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Model {key} ready</source>
        <translation>模型 {key} 已就绪</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>More like this</source>
        <translation>查找相似照片</translation>
    </message>
    <message>
        <source>Move the others to the trash…</source>
        <translation>把其余的移到废纸篓…</translation>
    </message>
    <message>
        <source>Move to the trash</source>
        <translation>移到废纸篓</translation>
    </message>
    <message>
        <source>Move to the trash{n}</source>
        <translation>移到废纸篓{n}</translation>
    </message>
    <message>
        <source>Move {n} to the system trash? Nothing is deleted; Edit › Undo brings them back.</source>
        <translation>把 {n} 移到系统废纸篓？不会删除任何文件；“编辑 › 撤销”可以找回。</translation>
    </message>
    <message>
        <source>Move {n} to the trash</source>
        <translation>把 {n} 移到废纸篓</translation>
    </message>
    <message>
        <source>Multilingual</source>
        <translation>多语言（支持中文搜索）</translation>
    </message>
    <message>
        <source>Multilingual search, Chinese included (100 languages; LAION-5B XLM-RoBERTa + ViT-B/32)</source>
        <comment>model</comment>
        <translation>多语言搜索，支持中文（100 种语言；LAION-5B XLM-RoBERTa + ViT-B/32）</translation>
    </message>
    <message>
        <source>My tags</source>
        <translation>我的标签</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>命名</translation>
    </message>
    <message>
        <source>Name a face '{new}'</source>
        <translation>把一张人脸命名为“{new}”</translation>
    </message>
    <message>
        <source>Name a person '{new}'</source>
        <translation>把一个人命名为“{new}”</translation>
    </message>
    <message>
        <source>Name this face</source>
        <translation>为这张人脸命名</translation>
    </message>
    <message>
        <source>Name this face…</source>
        <translation>为这张人脸命名…</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Name…</source>
        <translation>命名…</translation>
    </message>
    <message>
        <source>New album</source>
        <translation>新建相册</translation>
    </message>
    <message>
        <source>New album…</source>
        <translation>新建相册…</translation>
    </message>
    <message>
        <source>New name of the album {album}:</source>
        <translation>相册 {album} 的新名称：</translation>
    </message>
    <message>
        <source>New smart album with this tag…</source>
        <translation>用这个标签新建智能相册…</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新优先</translation>
    </message>
    <message>
        <source>No</source>
        <translation>不是</translation>
    </message>
    <message>
        <source>No duplicates found.</source>
        <translation>没有找到重复照片。</translation>
    </message>
    <message>
        <source>No faces yet (they are found after indexing)</source>
        <translation>还没有人脸（索引后才会找到）</translation>
    </message>
    <message>
        <source>No folder yet: add one now, or later from Settings.</source>
        <translation>还没有文件夹：现在添加一个，或以后在“设置”中添加。</translation>
    </message>
    <message>
        <source>No good backup was found in {folder}: `photoclip recover` starts a new catalog from the vector store (your own tags and albums cannot come back).</source>
        <translation>在 {folder} 中没有找到完好的备份：`photoclip recover` 会根据向量库新建一个目录（你自己的标签和相册无法找回）。</translation>
    </message>
    <message>
        <source>No internet connection: the model could not be downloaded. You can choose a weights file you downloaded elsewhere, or try again later.</source>
        <translation>没有网络连接，无法下载模型。你可以选择在别处下载好的权重文件，或稍后再试。</translation>
    </message>
    <message>
        <source>No labels</source>
        <translation>没有标签</translation>
    </message>
    <message>
        <source>No model installed: indexing waits</source>
        <translation>尚未安装模型：索引等待中</translation>
    </message>
    <message>
        <source>No photos are like this one here. Try another photo, or fewer filters.</source>
        <translation>这里没有与之相似的照片。换一张照片试试，或减少筛选条件。</translation>
    </message>
    <message>
        <source>No photos match these filters. Clear one of them, or choose “All photos” in the sidebar.</source>
        <translation>没有符合这些筛选条件的照片。清除其中一项，或在侧栏中选择“全部照片”。</translation>
    </message>
    <message>
        <source>No photos match “{text}”. Try other words, or fewer filters.</source>
        <translation>没有与“{text}”匹配的照片。换个说法试试，或减少筛选条件。</translation>
    </message>
    <message>
        <source>No photos yet</source>
        <translation>还没有照片</translation>
    </message>
    <message>
        <source>No photos yet: photoclip is looking through your folders…</source>
        <translation>还没有照片：photoclip 正在查看你的文件夹…</translation>
    </message>
    <message>
        <source>No plugins are installed.</source>
        <translation>没有安装插件。</translation>
    </message>
    <message>
        <source>No, this is not {person}</source>
        <translation>不，这不是 {person}</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>标准</translation>
    </message>
    <message>
        <source>Not available in this installation: it needs {packages}, which are not installed.</source>
        <translation>此安装版本无法使用：它需要 {packages}，但这些尚未安装。</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <source>Not {person}</source>
        <translation>不是 {person}</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>没有需要确认的</translation>
    </message>
    <message>
        <source>Offline, choose a folder or archive holding both the weights and the text tower ({tower}) in Settings › Model.</source>
        <translation>离线时，请在 设置 › 模型 中选择同时包含权重和文本塔（{tower}）的文件夹或压缩包。</translation>
    </message>
    <message>
        <source>One photo pixel per screen pixel (1)</source>
        <translation>照片的一个像素对应屏幕的一个像素（1）</translation>
    </message>
    <message>
        <source>Only photos taken in this place; click to clear</source>
        <translation>只显示在此地点拍摄的照片；点击清除</translation>
    </message>
    <message>
        <source>Only photos with at least this many stars, or favourites</source>
        <translation>只显示至少这么多星的照片，或收藏的照片</translation>
    </message>
    <message>
        <source>Only photos with this person; click to clear</source>
        <translation>只显示有此人物的照片；点击清除</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open in the system's photo viewer</source>
        <translation>用系统的看图程序打开</translation>
    </message>
    <message>
        <source>Opening the library…</source>
        <translation>正在打开图库…</translation>
    </message>
    <message>
        <source>Or press Finish: your photos can be browsed by folder and date now, and searching starts once the model is there.</source>
        <translation>也可以直接点“完成”：现在就能按文件夹和日期浏览照片，模型就绪后即可搜索。</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Pause indexing (after the batch in progress)</source>
        <translation>暂停索引（当前这一批完成后）</translation>
    </message>
    <message>
        <source>People</source>
        <translation>人物</translation>
    </message>
    <message>
        <source>People could not be turned on: {problem}</source>
        <translation>无法开启人物功能：{problem}</translation>
    </message>
    <message>
        <source>People is off: turn it on in Settings, Plugins (faces), or with `photoclip plugins enable faces`</source>
        <translation>人物功能未开启：请在“设置”的“插件”中开启 faces，或运行 `photoclip plugins enable faces`</translation>
    </message>
    <message>
        <source>Person: {name}</source>
        <translation>人物：{name}</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Photo index (data)</source>
        <translation>照片索引（数据）</translation>
    </message>
    <message>
        <source>Photos that could not be read</source>
        <translation>无法读取的照片</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Place: {place}</source>
        <translation>地点：{place}</translation>
    </message>
    <message>
        <source>Places</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Plain: photos I put in</source>
        <translation>普通：我放进去的照片</translation>
    </message>
    <message>
        <source>Plugins</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>Plugins are still loading; try again in a moment.</source>
        <translation>插件仍在加载，请稍后再试。</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>正在准备</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Rate {n} {stars} stars</source>
        <translation>给{n}评{stars}星</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Read keywords from photos and XMP sidecars as tags</source>
        <translation>把照片和 XMP 附属文件中的关键词读作标签</translation>
    </message>
    <message>
        <source>Reading keywords from {done} of {photos}…</source>
        <translation>正在读取关键词 {done} / {photos}…</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Reject tag '{tag}' on {n}</source>
        <translation>拒绝 {n} 上的标签“{tag}”</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove from album {album}{n}</source>
        <translation>从相册 {album} 中移除{n}</translation>
    </message>
    <message>
        <source>Remove tag '{tag}' from {n}</source>
        <translation>从 {n} 移除标签“{tag}”</translation>
    </message>
    <message>
        <source>Remove {n} from album '{album}'</source>
        <translation>从相册“{album}”移除 {n}</translation>
    </message>
    <message>
        <source>Rename album</source>
        <translation>重命名相册</translation>
    </message>
    <message>
        <source>Rename album '{album}' to '{new}'</source>
        <translation>把相册“{album}”重命名为“{new}”</translation>
    </message>
    <message>
        <source>Rename album…</source>
        <translation>重命名相册…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Resuming indexing…</source>
        <translation>正在继续索引…</translation>
    </message>
    <message>
        <source>Review &amp;duplicates…</source>
        <translation>检查重复照片(&amp;D)…</translation>
    </message>
    <message>
        <source>Review all suggestions…</source>
        <translation>确认全部建议…</translation>
    </message>
    <message>
        <source>Review duplicates</source>
        <translation>检查重复照片</translation>
    </message>
    <message>
        <source>Review suggested faces</source>
        <translation>确认建议的人脸</translation>
    </message>
    <message>
        <source>Review {count} suggested…</source>
        <translation>确认 {count} 个建议…</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>旋转</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>SVG (vector) images are not supported</source>
        <translation>不支持 SVG（矢量）图片</translation>
    </message>
    <message>
        <source>Search:</source>
        <translation>搜索：</translation>
    </message>
    <message>
        <source>Searching by this image; click to clear</source>
        <translation>正在按这张图片搜索；点击清除</translation>
    </message>
    <message>
        <source>Searching needs the model, which is not installed yet: download it or choose a weights file (Model menu). Meanwhile, browse your photos by folder and date in the sidebar.</source>
        <translation>搜索需要模型，但模型尚未安装：请下载模型或选择权重文件（“模型”菜单）。在此之前，可以在侧边栏按文件夹和日期浏览照片。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>Settings (config)</source>
        <translation>设置（配置）</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Show a person again</source>
        <translation>重新显示一个人</translation>
    </message>
    <message>
        <source>Show again</source>
        <translation>重新显示</translation>
    </message>
    <message>
        <source>Show hidden people</source>
        <translation>显示已隐藏的人物</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Show its photos</source>
        <translation>显示其中的照片</translation>
    </message>
    <message>
        <source>Show or hide the faces and text found in the photo; click one to name it or copy it</source>
        <translation>显示或隐藏照片中找到的人脸和文字；点击人脸可命名，点击文字可复制</translation>
    </message>
    <message>
        <source>Show {person}'s photos</source>
        <translation>显示 {person} 的照片</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Slideshow</source>
        <translation>幻灯片放映</translation>
    </message>
    <message>
        <source>Slideshow paused: press S to go on</source>
        <translation>幻灯片放映已暂停：按 S 继续</translation>
    </message>
    <message>
        <source>Slideshow stopped</source>
        <translation>幻灯片放映已停止</translation>
    </message>
    <message>
        <source>Slideshow: every {seconds} s</source>
        <translation>幻灯片放映：每 {seconds} 秒</translation>
    </message>
    <message>
        <source>Smart album: {rule}</source>
        <translation>智能相册：{rule}</translation>
    </message>
    <message>
        <source>Smart: photos matching a search</source>
        <translation>智能：符合搜索的照片</translation>
    </message>
    <message>
        <source>Smart: photos with a tag</source>
        <translation>智能：带某个标签的照片</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>出错了：{error}</translation>
    </message>
    <message>
        <source>Start or stop the slideshow (S); any key or click pauses it</source>
        <translation>开始或停止幻灯片放映（S）；按任意键或点击会暂停</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Strict: fewer tags, almost always right</source>
        <translation>严格：标签较少，几乎都准确</translation>
    </message>
    <message>
        <source>Strictness</source>
        <translation>严格程度</translation>
    </message>
    <message>
        <source>Strong match</source>
        <translation>高度匹配</translation>
    </message>
    <message>
        <source>Suggest tags automatically after indexing</source>
        <translation>索引完成后自动推荐标签</translation>
    </message>
    <message>
        <source>Switching model indexes every photo again with it (the old model's index is kept). A missing model is downloaded first.</source>
        <translation>更换模型后，会用新模型重新索引所有照片（旧模型的索引会保留）。未安装的模型会先下载。</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Tag for the selected photos{n}:</source>
        <translation>为所选照片添加标签{n}：</translation>
    </message>
    <message>
        <source>Tag:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Take a face out of a person</source>
        <translation>把一张人脸移出此人</translation>
    </message>
    <message>
        <source>Text in the photo</source>
        <translation>照片中的文字</translation>
    </message>
    <message>
        <source>That file does not exist.</source>
        <translation>该文件不存在。</translation>
    </message>
    <message>
        <source>The archive {archive} holds a file outside its folder ({name}): not unpacked.</source>
        <translation>压缩包 {archive} 中有一个位于其文件夹之外的文件（{name}）：没有解压。</translation>
    </message>
    <message>
        <source>The library could not be opened</source>
        <translation>无法打开图库</translation>
    </message>
    <message>
        <source>The library is still opening; try Settings again in a moment.</source>
        <translation>图库仍在打开，请稍后再打开“设置”。</translation>
    </message>
    <message>
        <source>The lowest match score (cosine similarity) a photo needs</source>
        <translation>照片至少需要的匹配分数（余弦相似度）</translation>
    </message>
    <message>
        <source>The model '{model}' is not installed yet (its weights and its text tower, {tower}), so photos cannot be indexed or searched. Download both{size}, or choose an archive holding both (a folder of both: Settings › Model).</source>
        <translation>模型“{model}”尚未安装（需要权重和文本塔 {tower}），因此无法索引或搜索照片。请下载这两部分{size}，或选择同时包含两部分的压缩包（文件夹请在“设置 › 模型”中选择）。</translation>
    </message>
    <message>
        <source>The model '{model}' is not installed yet, so photos cannot be indexed or searched. Download it{size}, or choose a weights file you downloaded elsewhere.</source>
        <translation>模型“{model}”尚未安装，暂时无法索引或搜索照片。请下载该模型{size}，或选择在别处下载好的权重文件。</translation>
    </message>
    <message>
        <source>The model could not be downloaded ({reason}). You can choose a weights file you downloaded elsewhere, or try again later.</source>
        <translation>无法下载模型（{reason}）。你可以选择在别处下载好的权重文件，或稍后再试。</translation>
    </message>
    <message>
        <source>The model is ready. Press Finish to start.</source>
        <translation>模型已就绪。点击“完成”开始使用。</translation>
    </message>
    <message>
        <source>The model {model} understands English only, so searches in Chinese, Japanese or Korean find little. Choose the multilingual model ({multilingual}) in Settings › Model, or search in English.</source>
        <translation>模型 {model} 只懂英文，用中文、日文或韩文搜索几乎找不到想要的照片。请在“设置 › 模型”中选择多语言模型（{multilingual}），或改用英文搜索。</translation>
    </message>
    <message>
        <source>The newest good backup is {backup} (taken {taken}): run `photoclip recover` to restore it (the damaged file is kept beside it).</source>
        <translation>最新的完好备份是 {backup}（备份于 {taken}）：运行 `photoclip recover` 恢复它（损坏的文件会保留在旁边）。</translation>
    </message>
    <message>
        <source>The photo alone (F, F11; Esc goes back)</source>
        <translation>只显示照片（F、F11；Esc 返回）</translation>
    </message>
    <message>
        <source>The photo's facts over it (I)</source>
        <translation>在照片上显示照片信息（I）</translation>
    </message>
    <message>
        <source>The plugin action {name} is no longer available.</source>
        <translation>插件操作 {name} 已不可用。</translation>
    </message>
    <message>
        <source>The plugin named no photos.</source>
        <translation>插件没有给出任何照片。</translation>
    </message>
    <message>
        <source>The rule of album {album}</source>
        <translation>相册 {album} 的规则</translation>
    </message>
    <message>
        <source>The system's language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The vocabulary has no {token} token.</source>
        <translation>词表中没有 {token} 标记。</translation>
    </message>
    <message>
        <source>The vocabulary {file} is missing.</source>
        <translation>缺少词表 {file}。</translation>
    </message>
    <message>
        <source>The weights file for {model}:</source>
        <translation>{model} 的权重文件：</translation>
    </message>
    <message>
        <source>The weights file {file} cannot be read as model weights ({error}); choose the weights file of model '{model}'.</source>
        <translation>无法把 {file} 当作模型权重读取（{error}）；请选择模型“{model}”的权重文件。</translation>
    </message>
    <message>
        <source>The weights file {file} does not exist.</source>
        <translation>权重文件 {file} 不存在。</translation>
    </message>
    <message>
        <source>The weights file {file} does not fit model '{model}' ({arch}): {why}. It looks like {looks}. Choose the weights file of model '{model}', or the model those weights are for; nothing was changed.</source>
        <translation>权重文件 {file} 不适合模型“{model}”（{arch}）：{why}。它的特征：{looks}。请选择模型“{model}”的权重文件，或者选择这些权重所属的模型；没有做任何改动。</translation>
    </message>
    <message>
        <source>The weights file {file} for model '{model}' does not exist. Run `photoclip models use {model} --weights /path/to/file` with the right file, or without --weights to download it.</source>
        <translation>模型“{model}”的权重文件 {file} 不存在。请用正确的文件运行 `photoclip models use {model} --weights /文件路径`，或者不带 --weights 运行以下载它。</translation>
    </message>
    <message>
        <source>The whole photo (0)</source>
        <translation>整张照片（0）</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>正在识别…</translation>
    </message>
    <message>
        <source>This is someone else…</source>
        <translation>这是别人…</translation>
    </message>
    <message>
        <source>This model has two parts, its weights and its text tower ({tower}: its config and tokenizer); they are downloaded together. Offline, give a folder or a .zip/.tar.gz archive holding both instead of a weights file.</source>
        <translation>这个模型有两部分：权重和文本塔（{tower}：配置和分词器），会一起下载。离线时，请用同时包含两部分的文件夹或 .zip/.tar.gz 压缩包代替权重文件。</translation>
    </message>
    <message>
        <source>This photo cannot be shown.</source>
        <translation>无法显示这张照片。</translation>
    </message>
    <message>
        <source>This photo library is in use by another photoclip process ({holder}). Close it first, or stop `photoclip watch`, then try again.</source>
        <translation>这个照片图库正被另一个 photoclip 进程使用（{holder}）。请先关闭它，或停止 `photoclip watch`，然后再试。</translation>
    </message>
    <message>
        <source>Thumbnail size (Ctrl+plus, Ctrl+minus)</source>
        <translation>缩略图大小（Ctrl+加号、Ctrl+减号）</translation>
    </message>
    <message>
        <source>Tidying up moved and deleted photos…</source>
        <translation>正在整理已移动和已删除的照片…</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>Turn the view, not the file (R, Shift+R)</source>
        <translation>旋转显示，不改动文件（R；反方向 ⇧+R）</translation>
    </message>
    <message>
        <source>Unknown model '{key}'. Choose one of: {keys} (see `photoclip models list`).</source>
        <translation>没有名为“{key}”的模型。可选：{keys}（见 `photoclip models list`）。</translation>
    </message>
    <message>
        <source>Unmark {n} as favourites</source>
        <translation>取消{n}的收藏</translation>
    </message>
    <message>
        <source>Unnamed</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Use a weights file I already have (offline install)</source>
        <translation>使用我已有的权重文件（离线安装）</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Weak match</source>
        <translation>弱匹配</translation>
    </message>
    <message>
        <source>Weights file</source>
        <translation>权重文件</translation>
    </message>
    <message>
        <source>Welcome to photoclip</source>
        <translation>欢迎使用 photoclip</translation>
    </message>
    <message>
        <source>Welcome! Choose the folders with your photos to start.</source>
        <translation>欢迎！请选择存放照片的文件夹，开始使用。</translation>
    </message>
    <message>
        <source>What is in this photo?</source>
        <translation>这张照片里有什么？</translation>
    </message>
    <message>
        <source>Who is this?</source>
        <translation>这是谁？</translation>
    </message>
    <message>
        <source>Who is this? ({person}, {photos}; a name in use merges the two)</source>
        <translation>这是谁？（{person}，{photos}；使用已有的名字会将两者合并）</translation>
    </message>
    <message>
        <source>Without a search, photos are shown newest first</source>
        <translation>未搜索时，照片按最新优先显示</translation>
    </message>
    <message>
        <source>Write my tags to XMP sidecar files (photo.jpg.xmp; photos are never modified)</source>
        <translation>把我的标签写入 XMP 附属文件（photo.jpg.xmp；绝不修改照片本身）</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>年</translation>
    </message>
    <message>
        <source>Yes, that is them</source>
        <translation>是，就是此人</translation>
    </message>
    <message>
        <source>Yes, this is {person}</source>
        <translation>是，这是 {person}</translation>
    </message>
    <message>
        <source>Your library is empty: add a folder of photos (File › Add photo folder…).</source>
        <translation>图库是空的：请添加一个照片文件夹（文件 › 添加照片文件夹…）。</translation>
    </message>
    <message>
        <source>Your model</source>
        <translation>你的模型</translation>
    </message>
    <message>
        <source>a filter cannot be subtracted ("- {name}:..."): search for what the photos hold</source>
        <translation>筛选条件不能被减去（"- {name}:..."）：请搜索照片里有的东西</translation>
    </message>
    <message>
        <source>a place is a town, a region or a country, e.g. "Paris, France"</source>
        <translation>地点是城镇、地区或国家，例如 "Paris, France" 或 "法国"</translation>
    </message>
    <message>
        <source>a rating filter is 0 to 5 stars, e.g. 4 (at least 4), =5 or &lt;=2, not {value!r}</source>
        <translation>评分筛选是 0 到 5 颗星，例如 4（至少 4 颗）、=5 或 &lt;=2，而不是 {value!r}</translation>
    </message>
    <message>
        <source>about {time} left</source>
        <translation>约剩 {time}</translation>
    </message>
    <message>
        <source>added {path}</source>
        <translation>已添加 {path}</translation>
    </message>
    <message>
        <source>added {path}; it holds {inside}, no longer listed or watched on its own but as part of it (the photos there stay indexed)</source>
        <translation>已添加 {path}；它包含 {inside}，后者不再单独列出或监视，而是作为它的一部分（其中的照片仍保留索引）</translation>
    </message>
    <message>
        <source>added {path}; it holds {inside}, no longer listed or watched on their own but as part of it (the photos there stay indexed)</source>
        <translation>已添加 {path}；它包含 {inside}，这些文件夹不再单独列出或监视，而是作为它的一部分（其中的照片仍保留索引）</translation>
    </message>
    <message>
        <source>analyzer</source>
        <translation>分析器</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>built-in label set</source>
        <translation>内置标签集</translation>
    </message>
    <message>
        <source>cannot read file: {error}</source>
        <translation>无法读取文件：{error}</translation>
    </message>
    <message>
        <source>cannot read that image: {reason}</source>
        <translation>无法读取这张图片：{reason}</translation>
    </message>
    <message>
        <source>cannot show</source>
        <translation>无法显示</translation>
    </message>
    <message>
        <source>cat, dog, car, beach</source>
        <translation>猫, 狗, 汽车, 海滩</translation>
    </message>
    <message>
        <source>copy the {tower} config.json and tokenizer files into a folder and run `photoclip models use {model} --weights FILE --text-tower FOLDER`</source>
        <translation>把 {tower} 的 config.json 和分词器文件复制到一个文件夹，然后运行 `photoclip models use {model} --weights FILE --text-tower FOLDER`</translation>
    </message>
    <message>
        <source>corrupt image: {error}</source>
        <translation>图片已损坏：{error}</translation>
    </message>
    <message>
        <source>corrupt {format}</source>
        <translation>{format} 文件已损坏</translation>
    </message>
    <message>
        <source>corrupt {format}: {error}</source>
        <translation>{format} 文件已损坏：{error}</translation>
    </message>
    <message>
        <source>could not update the catalog {path} to schema version {version} ({description}): {error}; it stays at version {before}</source>
        <translation>无法把目录 {path} 更新到结构版本 {version}（{description}）：{error}；它仍停留在版本 {before}</translation>
    </message>
    <message>
        <source>decompression bomb ({mp} MP from {kb} KB)</source>
        <translation>疑似解压炸弹（{kb} KB 解出 {mp} 百万像素）</translation>
    </message>
    <message>
        <source>download</source>
        <translation>需下载</translation>
    </message>
    <message>
        <source>download {url} and run `photoclip models use {model} --weights /path/to/file`</source>
        <translation>下载 {url}，然后运行 `photoclip models use {model} --weights /文件路径`</translation>
    </message>
    <message>
        <source>e.g. Holidays 2024</source>
        <translation>例如：2024 假期</translation>
    </message>
    <message>
        <source>e.g. a dog on the beach</source>
        <translation>例如：海滩上的狗</translation>
    </message>
    <message>
        <source>embedding size</source>
        <translation>嵌入维度</translation>
    </message>
    <message>
        <source>empty file</source>
        <translation>空文件</translation>
    </message>
    <message>
        <source>empty: download the weights</source>
        <translation>留空：下载权重</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>face</source>
        <comment>noun</comment>
        <translation>张人脸</translation>
    </message>
    <message>
        <source>face</source>
        <comment>region</comment>
        <translation>人脸</translation>
    </message>
    <message>
        <source>favourite is yes or no, not {value!r}</source>
        <translation>收藏只能是 yes 或 no，而不是 {value!r}</translation>
    </message>
    <message>
        <source>file too large ({size} MiB)</source>
        <translation>文件太大（{size} MiB）</translation>
    </message>
    <message>
        <source>from the XMP sidecar</source>
        <translation>来自 XMP 附属文件</translation>
    </message>
    <message>
        <source>from the file</source>
        <translation>来自文件</translation>
    </message>
    <message>
        <source>give at least two labels, separated by commas: "a cat, a dog"</source>
        <translation>请至少给出两个标签，用逗号分隔：“猫，狗”</translation>
    </message>
    <message>
        <source>give part of the name, e.g. "Canon"</source>
        <translation>请给出名称的一部分，例如 "Canon"</translation>
    </message>
    <message>
        <source>got {got} of {size} bytes of {repo}/{name}</source>
        <translation>{repo}/{name} 只收到 {got} / {size} 字节</translation>
    </message>
    <message>
        <source>group</source>
        <comment>noun</comment>
        <translation>组</translation>
    </message>
    <message>
        <source>identical file</source>
        <translation>完全相同的文件</translation>
    </message>
    <message>
        <source>image layers</source>
        <translation>图像层数</translation>
    </message>
    <message>
        <source>image too large</source>
        <translation>图片太大</translation>
    </message>
    <message>
        <source>image too large ({mp} MP &gt; {limit} MP limit)</source>
        <translation>图片太大（{mp} 百万像素，超过 {limit} 百万像素的上限）</translation>
    </message>
    <message>
        <source>image width</source>
        <translation>图像宽度</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>it has no config.json</source>
        <translation>其中没有 config.json</translation>
    </message>
    <message>
        <source>it has no tokenizer file ({names})</source>
        <translation>其中没有分词器文件（{names}）</translation>
    </message>
    <message>
        <source>it holds no photoclip catalog</source>
        <translation>其中没有 photoclip 目录</translation>
    </message>
    <message>
        <source>its config.json cannot be read ({error})</source>
        <translation>无法读取其中的 config.json（{error}）</translation>
    </message>
    <message>
        <source>its config.json has no model_type (is it a Hugging Face model config?)</source>
        <translation>其中的 config.json 没有 model_type（它是 Hugging Face 的模型配置吗？）</translation>
    </message>
    <message>
        <source>its text tower (the config and tokenizer files of {tower})</source>
        <translation>文本塔（{tower} 的配置和分词器文件）</translation>
    </message>
    <message>
        <source>its weights</source>
        <translation>它的权重</translation>
    </message>
    <message>
        <source>its weights file</source>
        <translation>权重文件</translation>
    </message>
    <message>
        <source>label set</source>
        <translation>标签集</translation>
    </message>
    <message>
        <source>lens, GPS and places; ratings and favourites</source>
        <translation>镜头、GPS 和地点；评分和收藏</translation>
    </message>
    <message>
        <source>looks the same</source>
        <translation>看起来一样</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>nearly the same picture</source>
        <translation>几乎相同的画面</translation>
    </message>
    <message>
        <source>no CLIP tensors photoclip knows</source>
        <translation>没有 photoclip 认识的 CLIP 张量</translation>
    </message>
    <message>
        <source>no album called {name!r} (there are no albums yet)</source>
        <translation>没有名为 {name!r} 的相册（还没有任何相册）</translation>
    </message>
    <message>
        <source>no album called {name!r}; your albums: {albums}</source>
        <translation>没有名为 {name!r} 的相册；你的相册：{albums}</translation>
    </message>
    <message>
        <source>no good backup of {path} was found: nothing was changed</source>
        <translation>没有找到 {path} 的完好备份：没有做任何改动</translation>
    </message>
    <message>
        <source>no search filter named {name!r} (available: {known}); a plugin may need enabling (`photoclip plugins list`)</source>
        <translation>没有名为 {name!r} 的搜索筛选（可用：{known}）；可能需要启用某个插件（`photoclip plugins list`）</translation>
    </message>
    <message>
        <source>no such file: {path}</source>
        <translation>没有这个文件：{path}</translation>
    </message>
    <message>
        <source>no such text-tower folder: {folder}</source>
        <translation>没有这个文本塔文件夹：{folder}</translation>
    </message>
    <message>
        <source>no such weights file, folder or archive: {source}</source>
        <translation>没有这个权重文件、文件夹或压缩包：{source}</translation>
    </message>
    <message>
        <source>no {what} {name!r}; choose one of: {listed}</source>
        <translation>没有名为 {name!r} 的{what}；可选：{listed}</translation>
    </message>
    <message>
        <source>no {what} {name!r}; choose one of: {listed} (see `{see}`)</source>
        <translation>没有名为 {name!r} 的{what}；可选：{listed}（见 `{see}`）</translation>
    </message>
    <message>
        <source>none (no plugin provides one)</source>
        <translation>无（没有插件提供）</translation>
    </message>
    <message>
        <source>none in this file</source>
        <translation>此文件中没有</translation>
    </message>
    <message>
        <source>not an image (text file)</source>
        <translation>不是图片（文本文件）</translation>
    </message>
    <message>
        <source>not an image or unsupported format</source>
        <translation>不是图片，或者格式不受支持</translation>
    </message>
    <message>
        <source>not downloaded{size}</source>
        <translation>未下载{size}</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>not in the library (index it first): {path}</source>
        <translation>不在图库中（请先索引）：{path}</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>only {shared} of the model's {total} tensors are in it by name</source>
        <translation>模型的 {total} 个张量中，按名称只找到 {shared} 个</translation>
    </message>
    <message>
        <source>open_clip_model.safetensors or .bin for this model</source>
        <translation>此模型的 open_clip_model.safetensors 或 .bin 文件</translation>
    </message>
    <message>
        <source>out of memory while decoding</source>
        <translation>解码时内存不足</translation>
    </message>
    <message>
        <source>patch size</source>
        <translation>图块大小</translation>
    </message>
    <message>
        <source>per-photo analysis state; where keywords were read</source>
        <translation>每张照片的分析状态；关键词的读取位置</translation>
    </message>
    <message>
        <source>photo</source>
        <comment>noun</comment>
        <translation>张照片</translation>
    </message>
    <message>
        <source>photoclip Settings</source>
        <translation>photoclip 设置</translation>
    </message>
    <message>
        <source>photoclip finds your photos by what is in them: type “dog on a beach” and see them. Your folders are only read, never changed, and everything stays on this computer.</source>
        <translation>photoclip 按照片内容帮你找照片：输入“海滩上的狗”，就能看到它们。你的文件夹只会被读取、绝不会被修改，所有数据都只保存在这台电脑上。</translation>
    </message>
    <message>
        <source>photoclip watches these folders and indexes new and changed photos. Removing a folder forgets its photos in photoclip; the files themselves are never touched.</source>
        <translation>photoclip 会留意这些文件夹，并索引新增和修改的照片。移除文件夹只会让 photoclip 忘记其中的照片，文件本身不会被改动。</translation>
    </message>
    <message>
        <source>photoclip will use {model} with your weights file {file}. Nothing needs downloading. Press Finish to start.</source>
        <translation>photoclip 将使用 {model} 和你的权重文件 {file}，无需下载。点击“完成”开始使用。</translation>
    </message>
    <message>
        <source>photos, vectors, tags and albums</source>
        <translation>照片、向量、标签和相册</translation>
    </message>
    <message>
        <source>plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>plugin</source>
        <comment>noun</comment>
        <translation>个插件</translation>
    </message>
    <message>
        <source>put {url} and the {tower} config.json and tokenizer files in one folder (or a .zip/.tar.gz of it) and run `photoclip models use {model} --weights FOLDER_OR_ARCHIVE`</source>
        <translation>把 {url} 和 {tower} 的 config.json、分词器文件放进同一个文件夹（或它的 .zip/.tar.gz 压缩包），然后运行 `photoclip models use {model} --weights FOLDER_OR_ARCHIVE`</translation>
    </message>
    <message>
        <source>query {query} ≥ {score}</source>
        <translation>搜索 {query} ≥ {score}</translation>
    </message>
    <message>
        <source>selected photo</source>
        <comment>noun</comment>
        <translation>张所选照片</translation>
    </message>
    <message>
        <source>size unknown</source>
        <translation>尺寸未知</translation>
    </message>
    <message>
        <source>suggested{score}</source>
        <translation>推荐{score}</translation>
    </message>
    <message>
        <source>suggestion</source>
        <comment>noun</comment>
        <translation>个建议</translation>
    </message>
    <message>
        <source>tag {tag}</source>
        <translation>标签 {tag}</translation>
    </message>
    <message>
        <source>text</source>
        <comment>region</comment>
        <translation>文字</translation>
    </message>
    <message>
        <source>text layers</source>
        <translation>文本层数</translation>
    </message>
    <message>
        <source>text tower {repo}/{name}: {error}</source>
        <translation>文本塔 {repo}/{name}：{error}</translation>
    </message>
    <message>
        <source>text width</source>
        <translation>文本宽度</translation>
    </message>
    <message>
        <source>the catalog {catalog} is damaged ({problem}). Your photos are not touched: run `photoclip recover` to restore its newest good backup (the damaged file is kept).</source>
        <translation>目录 {catalog} 已损坏（{problem}）。你的照片没有受到影响：运行 `photoclip recover` 恢复它最新的完好备份（损坏的文件会保留）。</translation>
    </message>
    <message>
        <source>the catalog {path} has schema version {version}, written by a newer photoclip; this one reads versions up to {supported}: please upgrade photoclip</source>
        <translation>目录 {path} 的结构版本是 {version}，由更新版本的 photoclip 写入；这个 photoclip 最多只能读取版本 {supported}：请升级 photoclip</translation>
    </message>
    <message>
        <source>the catalog {path} is damaged ({problem}). Your photos are not touched. {way_back}</source>
        <translation>目录 {path} 已损坏（{problem}）。你的照片没有受到影响。{way_back}</translation>
    </message>
    <message>
        <source>the catalog {path} is sound: nothing to recover (`photoclip recover --force` restores its newest backup anyway)</source>
        <translation>目录 {path} 完好：无需恢复（`photoclip recover --force` 仍会恢复它的最新备份）</translation>
    </message>
    <message>
        <source>the disk is full ({file}): free some space; nothing was lost, indexing resumes</source>
        <translation>磁盘已满（{file}）：请腾出一些空间；没有丢失任何内容，索引会继续</translation>
    </message>
    <message>
        <source>the disk is full: free some space; nothing was lost, indexing resumes</source>
        <translation>磁盘已满：请腾出一些空间；没有丢失任何内容，索引会继续</translation>
    </message>
    <message>
        <source>the file does not exist</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>the file is empty (0 bytes)</source>
        <translation>文件是空的（0 字节）</translation>
    </message>
    <message>
        <source>the file is missing</source>
        <translation>文件不见了</translation>
    </message>
    <message>
        <source>the hub answered HTTP {status} for {repo}/{name}</source>
        <translation>Hugging Face 对 {repo}/{name} 返回了 HTTP {status}</translation>
    </message>
    <message>
        <source>the library's collection on the Chroma server is not known any more</source>
        <translation>已经找不到这个照片库在 Chroma 服务器上的集合</translation>
    </message>
    <message>
        <source>the model's weights file</source>
        <translation>该模型的权重文件</translation>
    </message>
    <message>
        <source>the text tower {tower} has no config.json on the hub</source>
        <translation>Hugging Face 上的文本塔 {tower} 没有 config.json</translation>
    </message>
    <message>
        <source>the vector store holds no vectors for the model {model}</source>
        <translation>向量库中没有模型 {model} 的向量</translation>
    </message>
    <message>
        <source>the {name}: operator needs a value, e.g. {name}:"some words"</source>
        <translation>{name}: 运算符需要一个值，例如 {name}:"一些词"</translation>
    </message>
    <message>
        <source>there is no catalog at {path} and nothing to recover it from</source>
        <translation>{path} 处没有目录，也没有可用来恢复它的内容</translation>
    </message>
    <message>
        <source>this format is not supported by this build of Pillow</source>
        <translation>这个版本的 Pillow 不支持这种格式</translation>
    </message>
    <message>
        <source>this model</source>
        <translation>该模型</translation>
    </message>
    <message>
        <source>to</source>
        <comment>dates</comment>
        <translation>至</translation>
    </message>
    <message>
        <source>truncated file</source>
        <translation>文件不完整（被截断）</translation>
    </message>
    <message>
        <source>unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>unknown process</source>
        <translation>未知进程</translation>
    </message>
    <message>
        <source>unsupported or corrupt TIFF</source>
        <translation>不支持的 TIFF，或 TIFF 文件已损坏</translation>
    </message>
    <message>
        <source>yours</source>
        <translation>你添加的</translation>
    </message>
    <message>
        <source>{action} (whole library)</source>
        <translation>{action}（整个图库）</translation>
    </message>
    <message>
        <source>{album} (smart)</source>
        <translation>{album}（智能）</translation>
    </message>
    <message>
        <source>{count} {noun}</source>
        <translation>{count} {noun}</translation>
    </message>
    <message>
        <source>{done} of {total} MB</source>
        <translation>{done} / {total} MB</translation>
    </message>
    <message>
        <source>{facts}: the weights of {models}, it seems</source>
        <translation>{facts}：看来是 {models} 的权重</translation>
    </message>
    <message>
        <source>{fact} {value}</source>
        <translation>{fact} {value}</translation>
    </message>
    <message>
        <source>{filter}: {error}</source>
        <translation>{filter}：{error}</translation>
    </message>
    <message>
        <source>{first} and {second}</source>
        <translation>{first}和{second}</translation>
    </message>
    <message>
        <source>{format} is not supported by this build of Pillow</source>
        <translation>这个版本的 Pillow 不支持 {format}</translation>
    </message>
    <message>
        <source>{groups} of duplicates. Each group keeps one photo: the suggested one is the original (the most pixels, not in a copies or dups folder, the older file). {n} would move to the system trash (Edit › Undo brings them back).</source>
        <translation>{groups}重复照片。每组保留一张：建议保留的是原件（像素最多、不在 copies 或 dups 文件夹中、文件较早）。将有 {n} 移到系统废纸篓（“编辑 › 撤销”可以找回）。</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <source>{indexed} of {photos} indexed</source>
        <translation>已索引 {indexed} / {photos}</translation>
    </message>
    <message>
        <source>{items} and {item}</source>
        <translation>{items}和{item}</translation>
    </message>
    <message>
        <source>{items} or {item}</source>
        <translation>{items}或{item}</translation>
    </message>
    <message>
        <source>{items}, {item}</source>
        <translation>{items}、{item}</translation>
    </message>
    <message>
        <source>{label} ({kind}): click for actions</source>
        <translation>{label}（{kind}）：点击查看操作</translation>
    </message>
    <message>
        <source>{mb} MB</source>
        <translation>{mb} MB</translation>
    </message>
    <message>
        <source>{mb} MB download</source>
        <translation>需下载 {mb} MB</translation>
    </message>
    <message>
        <source>{model} is already installed. Press Finish to start.</source>
        <translation>{model} 已安装。点击“完成”开始使用。</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>{n} 张失败</translation>
    </message>
    <message>
        <source>{n} in this album now</source>
        <translation>相册中现有 {n}</translation>
    </message>
    <message>
        <source>{n} of its tensors have other shapes (e.g. {name} is {found} in the file, {wanted} in the model)</source>
        <translation>其中 {n} 个张量的形状不同（例如 {name} 在文件中是 {found}，在模型中是 {wanted}）</translation>
    </message>
    <message>
        <source>{option} is required</source>
        <translation>必须填写 {option}</translation>
    </message>
    <message>
        <source>{option} must be a number</source>
        <translation>{option} 必须是数字</translation>
    </message>
    <message>
        <source>{path} is already in the library</source>
        <translation>{path} 已在图库中</translation>
    </message>
    <message>
        <source>{path} is already in the library as part of {within}: nothing changed (its photos are indexed and watched with that folder)</source>
        <translation>{path} 已作为 {within} 的一部分在图库中：未做任何更改（其中的照片随该文件夹一起索引和监视）</translation>
    </message>
    <message>
        <source>{person} (#{id}, {photos})</source>
        <translation>{person}（#{id}，{photos}）</translation>
    </message>
    <message>
        <source>{person}: {photos}, {faces}, hidden; right-click to name, merge, hide or review</source>
        <translation>{person}：{photos}，{faces}，已隐藏；右键点击可命名、合并、隐藏或确认</translation>
    </message>
    <message>
        <source>{person}: {photos}, {faces}; right-click to name, merge, hide or review</source>
        <translation>{person}：{photos}，{faces}；右键点击可命名、合并、隐藏或确认</translation>
    </message>
    <message>
        <source>{photos} (browse by folder and date; searching needs the model)</source>
        <translation>{photos}（可按文件夹和日期浏览；搜索需要模型）</translation>
    </message>
    <message>
        <source>{photos} could not be read…</source>
        <translation>{photos}无法读取…</translation>
    </message>
    <message>
        <source>{photos} found</source>
        <translation>找到 {photos}</translation>
    </message>
    <message>
        <source>{photos} found ({waiting} more photos not indexed yet, so not searched)</source>
        <translation>找到 {photos}（另有 {waiting} 张照片尚未索引，未被搜索）</translation>
    </message>
    <message>
        <source>{photos}, all indexed</source>
        <translation>{photos}，已全部索引</translation>
    </message>
    <message>
        <source>{plugins}. Tick a plugin to turn it on; a change takes effect the next time photoclip starts.</source>
        <translation>共 {plugins}。勾选插件即可启用；更改在下次启动 photoclip 时生效。</translation>
    </message>
    <message>
        <source>{rate}/s</source>
        <translation>{rate} 张/秒</translation>
    </message>
    <message>
        <source>{repo} has none of {names}</source>
        <translation>{repo} 中没有以下任何文件：{names}</translation>
    </message>
    <message>
        <source>{repo} is not on the hub</source>
        <translation>Hugging Face 上没有 {repo}</translation>
    </message>
    <message>
        <source>{repo} needs a Hugging Face login</source>
        <translation>{repo} 需要登录 Hugging Face</translation>
    </message>
    <message>
        <source>{repo}/{name}: {error}</source>
        <translation>{repo}/{name}：{error}</translation>
    </message>
    <message>
        <source>{role}: {model} ({size})</source>
        <translation>{role}：{model}（{size}）</translation>
    </message>
    <message>
        <source>{strength} (score {score})</source>
        <translation>{strength}（得分 {score}）</translation>
    </message>
    <message>
        <source>{suggestions} to review</source>
        <translation>{suggestions}待确认</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>{task}: {done} of {total}…</source>
        <translation>{task}：{done} / {total}…</translation>
    </message>
    <message>
        <source>{title}: running…</source>
        <translation>{title}：正在运行…</translation>
    </message>
    <message>
        <source>{unnamed} — {groups} to review</source>
        <translation>{unnamed} — {groups}待确认</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← 返回</translation>
    </message>
    <message>
        <source>♥ Favourites</source>
        <translation>♥ 收藏</translation>
    </message>
</context>
</TS>
